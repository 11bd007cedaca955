"""Tokens the company secret signs cannot stand in for each other (served functions).

End-user tokens, signed custom data and SmartActions verification results share the secret
and keep their documented formats; each slot refuses the other kinds. Custom data is bound
to the session's end user and lives minutes, so a copied token flags nobody else's session.
(Every SDK route refusing custom data and verification results as a login is a row of the
authorization matrix.)
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import requests

from tests.hostile.seeds import bearer

FLAG = {"label": "Verified", "value": True, "type": "boolean"}


def _sign(claims: dict[str, Any], ttl: int = 300) -> str:
    from core.settings import settings

    now = int(time.time())
    body = {"iat": now, "exp": now + ttl} | claims
    return jwt.encode(body, settings().company_secret.get_secret_value(), algorithm="HS256")


def _start(url: str, token: str, custom_data: str | None = None) -> requests.Response:
    body: dict[str, Any] = {"channel": "mobile", "queue_id": "billing-refunds"}
    if custom_data is not None:
        body["custom_data"] = custom_data
    return requests.post(f"{url}/sdk/chats", json=body, headers=bearer(token), timeout=30)


def _sessions() -> list[dict[str, Any]]:
    from core import clients

    return [d.to_dict() for d in clients.firestore().collection("sessions").stream()]


def test_token_kinds_never_stand_in_for_each_other(functions: Any, demo: Any) -> None:
    from core.auth.sdk_jwt import issue

    url = functions.function_url("sessions_http")
    kim = issue("kim")

    # Custom data bound to kim logs nobody in as kim, and neither does a verification.
    data_for_kim = _sign({"identifier": "kim", "reserved_verified_customer": FLAG})
    verification = _sign(
        {
            "purpose": "smartactions_verification",
            "identifier": "kim",
            "session_id": "x",
            "request_id": "x",
            "result": {"method": "pin", "success": True},
            "jti": "kinds-1",
        }
    )
    for token in (data_for_kim, verification):
        r = _start(url, token)
        assert r.status_code == 401, r.text
        assert r.json()["error"]["code"] == "wrong_token_kind"

    refused = [
        # An end-user token (no entries) is not custom data: it would flag with nothing
        # and prove nothing.
        (issue("kim", ttl=300), 401, "custom_data"),
        (verification, 401, "custom_data"),
        (_sign({"identifier": "kim", "purpose": "end_user"}), 401, "custom_data"),
        # Unbound data for a signed-in user: anyone's copy would flag kim's session.
        (_sign({"reserved_verified_customer": FLAG}), 403, "custom_data.identifier"),
        (_sign({"identifier": "lee", "reserved_verified_customer": FLAG}), 403, None),
        # Custom data lives minutes, not a day.
        (_sign({"identifier": "kim", "reserved_verified_customer": FLAG}, 3600), 401, None),
    ]
    for custom, status, field in refused:
        r = _start(url, kim, custom)
        assert r.status_code == status, r.text
        assert r.json()["error"]["field"] == (field or r.json()["error"]["field"])
        assert r.json()["error"]["field"].startswith("custom_data")
    assert _sessions() == []  # nothing was half-made

    # The documented formats still work: bound, short-lived custom data flags kim's session.
    r = _start(url, kim, data_for_kim)
    assert r.status_code == 201, r.text
    assert r.json()["session"]["profile"]["verified_customer"] is True
    # With an explicit purpose too.
    r = _start(url, kim, _sign({"identifier": "kim", "purpose": "custom_data", "plan": FLAG}))
    assert r.status_code == 201, r.text


def test_anonymous_visitor_custom_data_may_be_unbound(functions: Any, demo: Any) -> None:
    attrs = functions.function_url("attributes_http")
    r = requests.post(
        f"{attrs}/sdk/visitors", json={"channel": "mobile", "device_id": "kinds-dev"}, timeout=30
    )
    assert r.status_code == 201, r.text
    visitor = r.json()["visitor_token"]
    url = functions.function_url("sessions_http")
    # The company backend does not know the temporary id: unbound, short-lived data is fine.
    r = _start(url, visitor, _sign({"reserved_repeat_customer": FLAG}))
    assert r.status_code == 201, r.text
    assert r.json()["session"]["profile"]["repeat_customer"] is True
    r = _start(url, visitor, _sign({"reserved_repeat_customer": FLAG}, ttl=24 * 3600))
    assert r.status_code == 401 and r.json()["error"]["field"] == "custom_data.exp"
