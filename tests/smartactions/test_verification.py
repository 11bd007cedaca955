"""A verification is what the company backend signs, not what the end user's app says.

The result must be a short-lived JWT (company secret, purpose smartactions_verification)
bound to the request and the session, used once; the agent sees "company_backend" for it
and "not_verified" for anything else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt

from tests.helpers.smartactions import bearer, events_of, signed_result

SECRET = "local-company-secret-at-least-32-bytes!"


def _ask(sa: Any, sid: str, token: str) -> str:
    r = sa.post(
        f"/agent/sessions/{sid}/smartactions", json={"kind": "verification"}, headers=bearer(token)
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["request"]["id"]


def _claims(sid: str, rid: str, **over: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "purpose": "smartactions_verification",
        "session_id": sid,
        "request_id": rid,
        "result": {"method": "biometric", "success": True},
        "jti": f"jti-{rid}-{now}",
        "iat": now,
        "exp": now + 120,
    } | over


def _sign(claims: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def test_only_a_company_signed_result_verifies(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    sid = live_session("ver-1")
    other_sid = live_session("ver-1b")
    alex, me = bearer(portal_token("alex")), bearer(sdk_token("ver-1"))
    rid = _ask(sa, sid, portal_token("alex"))
    rid2 = _ask(sa, sid, portal_token("alex"))
    fulfil = f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil"
    now = int(time.time())

    refused = [
        # The app's own word: today's hole.
        ({"method": "biometric", "success": True}, 400, "verification"),
        (_sign(_claims(sid, rid), secret="y" * 40), 401, "verification"),  # not our secret
        (_sign(_claims(sid, rid2)), 403, "verification"),  # another request
        (_sign(_claims(other_sid, rid)), 403, "verification"),  # another session
        (_sign(_claims(sid, rid, identifier="someone-else")), 403, "verification"),
        (_sign(_claims(sid, rid, iat=now, exp=now + 3600)), 401, "verification"),  # too long
        (_sign(_claims(sid, rid, iat=now - 600, exp=now - 300)), 401, "verification"),
        (_sign(_claims(sid, rid, result={"method": "face", "success": True})), 400, None),
        (_sign({k: v for k, v in _claims(sid, rid).items() if k != "jti"}), 400, None),
        # Tokens of other kinds, signed with the same secret.
        (sdk_token("ver-1"), 401, "verification"),
        (_sign(_claims(sid, rid, purpose="custom_data")), 401, "verification"),
        (_sign({k: v for k, v in _claims(sid, rid).items() if k != "purpose"}), 401, None),
    ]
    for body, status, field in refused:
        r = sa.post(fulfil, json={"verification": body}, headers=me)
        assert r.status_code == status, (body, r.get_json())
        err = r.get_json()["error"]
        assert err["field"].startswith(field or "verification"), err
    got = sa.get(f"/agent/sessions/{sid}/smartactions/{rid}", headers=alex).get_json()["request"]
    assert got["state"] == "requested" and got["verified_by"] == "not_verified"
    assert got["result"] is None

    # The backend says the device check failed: still vouched for, and shown as such.
    token = signed_result(sid, rid, method="pin", success=False)
    r = sa.post(fulfil, json={"verification": token}, headers=me)
    assert r.status_code == 200, r.get_json()
    got = sa.get(f"/agent/sessions/{sid}/smartactions/{rid}", headers=alex).get_json()["request"]
    assert got["verified_by"] == "company_backend"
    assert got["result"]["verification"]["success"] is False
    assert got["result"]["verification"]["method"] == "pin"
    # Single use: the same token again changes nothing.
    r = sa.post(fulfil, json={"verification": token}, headers=me)
    assert r.status_code == 409, r.get_json()
    fulfilled = [e for e in events_of(sid) if e["type"] == "smartaction.fulfilled"]
    assert len(fulfilled) == 1
    assert fulfilled[0]["data"]["verification"]["verified_by"] == "company_backend"
    assert token not in str(fulfilled[0]["data"])


def test_a_used_token_id_is_refused_and_kept_for_its_lifetime(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    from smartactions.verification import jti_ref

    sid = live_session("ver-2")
    me = bearer(sdk_token("ver-2"))
    rid = _ask(sa, sid, portal_token("alex"))
    claims = _claims(sid, rid, jti="one-time-id-1")
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil",
        json={"verification": _sign(claims)},
        headers=me,
    )
    assert r.status_code == 200, r.get_json()
    used = jti_ref("one-time-id-1").get().to_dict()
    assert (used["session_id"], used["request_id"]) == (sid, rid)
    assert used["expire_at"].timestamp() >= claims["exp"]  # TTL policy field

    # A token whose id was already spent (e.g. signed twice by a buggy backend) is refused
    # in the same transaction that would fulfil, and nothing changes.
    rid2 = _ask(sa, sid, portal_token("alex"))
    r = sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid2}/fulfil",
        json={"verification": _sign(_claims(sid, rid2, jti="one-time-id-1"))},
        headers=me,
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "verification_reused"
    got = sa.get(
        f"/agent/sessions/{sid}/smartactions/{rid2}", headers=bearer(portal_token("alex"))
    ).get_json()["request"]
    assert got["state"] == "requested" and got["verified_by"] == "not_verified"
