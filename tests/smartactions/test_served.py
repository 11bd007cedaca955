"""Over real HTTP: the function served by functions-framework, streamed upload of a photo,
and the agent's URL fetched from the served function (as a browser would)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.helpers.smartactions import SA, bearer, png_bytes

pytestmark = pytest.mark.served


@pytest.fixture(scope="module")
def served(suite: Any) -> str:
    if SA not in suite.function_ports:
        suite.start_functions([SA])
        os.environ.update(suite.env())
    return suite.function_url(SA)


def test_photo_over_http(
    served: str,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    sid = live_session("http-user")
    alex = bearer(portal_token("alex"))
    r = requests.post(
        f"{served}/agent/sessions/{sid}/smartactions",
        json={"kind": "photo", "max_count": 1},
        headers=alex,
        timeout=10,
    )
    assert r.status_code == 201, r.text
    rid = r.json()["request"]["id"]
    photo = png_bytes(extra=200_000)

    # Chunked transfer without a length is refused (the limit is checked up front).
    r = requests.post(
        f"{served}/sdk/sessions/{sid}/smartactions/{rid}/media",
        data=iter([photo]),
        headers=bearer(sdk_token("http-user")),
        timeout=10,
    )
    assert r.status_code == 411, r.text
    r = requests.post(
        f"{served}/sdk/sessions/{sid}/smartactions/{rid}/media",
        data=io.BytesIO(photo),
        timeout=10,
        headers=bearer(sdk_token("http-user")) | {"Content-Type": "image/png"},
    )
    assert r.status_code == 201, r.text
    r = requests.post(
        f"{served}/sdk/sessions/{sid}/smartactions/{rid}/fulfil",
        json={},
        headers=bearer(sdk_token("http-user")),
        timeout=10,
    )
    assert r.status_code == 200, r.text
    item = requests.get(
        f"{served}/agent/sessions/{sid}/smartactions/{rid}", headers=alex, timeout=10
    ).json()["request"]["media"][0]
    assert item["url"].startswith(served + "/media/")
    got = requests.get(item["url"], timeout=10)
    assert got.status_code == 200 and got.content == photo
    assert got.headers["Cache-Control"] == "private, no-store"
    r = requests.get(f"{served}/agent/sessions/{sid}/smartactions/{rid}", timeout=10)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
