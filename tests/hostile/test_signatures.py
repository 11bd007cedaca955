"""Garbage where a signature belongs (non-ASCII, not hex, wrong length, odd expiry): a 4xx
JSON answer on every route that checks one of our HMACs, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import signing

GARBAGE = ["é", "ünïcödé-sig", "\u00ff" * 64, "☃" * 64, "0" * 63 + "é", "zz", "0 1"]
# A header goes out as bytes: UTF-8 bytes arrive as Latin-1 text, non-ASCII either way.
HEADER_VALUES: list[str | bytes] = [
    *(v.encode() for v in GARBAGE),
    *(v for v in GARBAGE if v.isascii() or all(ord(c) < 256 for c in v)),
]


@pytest.fixture
def urls(functions: Any) -> dict[str, str]:
    return {name: functions.function_url(name) for name in functions.function_ports}


def _is_4xx_json(r: requests.Response) -> bool:
    return 400 <= r.status_code < 500 and "error" in r.json()


def test_task_signature_header_garbage_is_4xx(urls: dict[str, str], functions: Any) -> None:
    from tests.helpers.common import tasks_headers

    url = urls["recordings_http"] + "/tasks/deliver"
    body = b'{"recording_sid": "RE' + b"0" * 32 + b'", "gen": 0}'
    # As Cloud Tasks delivers (an OIDC token in the cloud-shaped suite): then the HMAC.
    oidc = tasks_headers(functions, "recordings_http")
    for value in HEADER_VALUES:
        r = requests.post(
            url,
            data=body,
            headers={"Content-Type": "application/json", "X-Recording-Task-Signature": value}
            | oidc,
            timeout=30,
        )
        assert r.status_code == 403 and _is_4xx_json(r), (value, r.status_code, r.text[:200])


@pytest.mark.parametrize(
    "path", ["/recordings/RE" + "0" * 32 + "/media", "/recordings/%C3%A9/media"]
)
def test_recording_media_sig_garbage_is_4xx(urls: dict[str, str], path: str) -> None:
    base = urls["recordings_http"] + path
    for sig in GARBAGE:
        r = requests.get(base, params={"exp": "9999999999", "sig": sig}, timeout=30)
        assert r.status_code == 403 and _is_4xx_json(r), (sig, r.status_code, r.text[:200])
    for exp in ["é", "١٢٣", "9" * 40, "-1", ""]:
        r = requests.get(base, params={"exp": exp, "sig": "0" * 64}, timeout=30)
        assert r.status_code == 400 and _is_4xx_json(r), (exp, r.status_code, r.text[:200])


def test_notifications_media_sig_garbage_is_4xx(urls: dict[str, str]) -> None:
    base = urls["notifications_http"] + "/media/tones/x.mp3"
    for sig in GARBAGE:
        r = requests.get(base, params={"exp": "9999999999", "sig": sig}, timeout=30)
        assert r.status_code == 403 and _is_4xx_json(r), (sig, r.status_code, r.text[:200])
    for exp in ["é", "١٢٣", "9" * 40]:
        r = requests.get(base, params={"exp": exp, "sig": "0" * 64}, timeout=30)
        assert r.status_code == 403 and _is_4xx_json(r), (exp, r.status_code, r.text[:200])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.none(), st.text(max_size=80), st.binary(max_size=80)),
    st.one_of(st.none(), st.text(max_size=20), st.binary(max_size=20)),
)
def test_signing_module_only_raises_signature_errors(sig: Any, exp: Any) -> None:
    root = "test-root-secret-at-least-32-bytes-long"
    try:
        signing.verify("p", b"message", sig, root=root)
    except signing.SignatureError as exc:
        assert exc.field == "sig"
    try:
        signing.verify_expiring("p", "subject", exp, sig, root=root)
    except signing.SignatureError as exc:
        assert exc.field in ("sig", "exp")


def test_signing_keys_are_per_purpose_and_checked_as_bytes() -> None:
    root = "test-root-secret-at-least-32-bytes-long"
    exp, sig = signing.url_params("a", "obj", 60, root=root)
    assert signing.verify_expiring("a", "obj", str(exp), sig, root=root) == exp
    assert signing.verify_expiring("a", "obj", str(exp).encode(), sig.encode(), root=root) == exp
    with pytest.raises(signing.Mismatch):
        signing.verify_expiring("b", "obj", str(exp), sig, root=root)  # another purpose
    with pytest.raises(signing.Mismatch):
        signing.verify_expiring("a", "obj2", str(exp), sig, root=root)
    with pytest.raises(signing.Mismatch):
        signing.verify_expiring("a", "obj", str(exp), sig, root=root + "x")
    with pytest.raises(signing.Expired):
        old, osig = signing.url_params("a", "obj", -5, root=root)
        signing.verify_expiring("a", "obj", str(old), osig, root=root)
    with pytest.raises(signing.Malformed):
        signing.verify("a", b"m", "é" * 64, root=root)
    assert signing.derive_key("a", root) != signing.derive_key("b", root)
