"""Authorization matrix: every route of every HTTP function x caller type x role x another
team's (or another end user's) session. Refusals are never a 2xx, never a 5xx, always the
expected code; users who may act on a session (its assigned agent, a supervisor of its team)
get past authorization (no 401 / 403 / 404, no 5xx).

Portal routes also face real sign-ins that must be refused: a person signed in on the Auth
emulator whom the config does not know (403), one who signed out everywhere (revoked: 401
on writes), and service-account ID tokens for another function (401) or unknown (403).

The route list and each route's caller type come from the Routers (`router.route(...)`
declares both, once); EXPECT holds the test data of the routes that need it: who lacks the
permission, who sits in another team, a body that passes validation. A route with no row
is tested for its caller type's refusals alone.
"""

from __future__ import annotations

import base64
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

from tests.hostile import seeds as seeding
from tests.hostile.seeds import basic, bearer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from openapi_routes import declared, http_functions  # noqa: E402


@dataclass(frozen=True)
class Expect:
    caller: str = ""  # from the route's declaration (twilio | sdk | portal | ... | public)
    lacking: str | None = None  # a portal user without the permission: 403
    other: str | None = None  # a user of another team / another end user: 404
    scoped: str | None = None  # a team-scoped user refused a center-wide resource: 403
    body: dict[str, Any] | None = None  # a body that passes validation (auth comes first)
    query: str = ""
    # Acting on a customer's session (seeded sessions: billing queue, assigned to alex):
    unassigned: str | None = None  # an agent of the session's team, not assigned to it: 403
    others: tuple[str, ...] = ()  # more users of other teams (e.g. a supervisor): 404
    may: tuple[str, ...] = ()  # users who may act: past authorization, never a 5xx


REASON = {"reason": "matrix"}
S = "/sdk/sessions/<session_id>/smartactions"
A = "/agent/sessions/<session_id>/smartactions"
# Agent x assigned (alex) / not assigned (cleo, same team); supervisor x own team (stan) /
# other team (sam); manager of the team (mona); agent of another team (bea).
ACTS_ON_SESSION: dict[str, Any] = {
    "other": "bea",
    "unassigned": "cleo",
    "others": ("sam",),
    "may": ("alex", "stan", "mona"),
}
EXPECT: dict[tuple[str, str, str], Expect] = {
    # sessions_http
    ("sessions_http", "POST", "/sdk/chats/<session_id>/messages"): Expect(
        other="sdk:someone-else", body={"text": "hi"}
    ),
    ("sessions_http", "POST", "/sdk/chats/<session_id>/end"): Expect(other="sdk:someone-else"),
    ("sessions_http", "POST", "/agent/chats/<session_id>/messages"): Expect(
        lacking="mona", other="bea", body={"text": "hi"}
    ),
    # An agent may not assign even to themselves (routing assigns); the team scope of a
    # user who holds sessions.assign is in tests/sessions/test_assign.py.
    ("sessions_http", "POST", "/agent/sessions/<session_id>/assign"): Expect(
        lacking="alex", body={"agent_id": "alex"}
    ),
    ("sessions_http", "POST", "/agent/sessions/<session_id>/transfer"): Expect(
        lacking="alex", body={"to_agent_id": "alex"}
    ),
    # deflection_http
    ("deflection_http", "DELETE", "/sdk/scheduled-calls/<booking_id>"): Expect(
        other="sdk:someone-else"
    ),
    ("deflection_http", "GET", "/agent/transfer-targets"): Expect(query="channel=voice"),
    ("deflection_http", "GET", "/explain"): Expect(
        other="bea", query="queue=billing-refunds&channel=voice"
    ),
    # recordings_http
    ("recordings_http", "GET", "/recordings/<sid>/media"): Expect(query="exp=9999999999&sig=00"),
    # monitoring_http
    ("monitoring_http", "GET", "/calls"): Expect(lacking="alex"),
    ("monitoring_http", "GET", "/chats"): Expect(lacking="alex"),
    ("monitoring_http", "GET", "/audit"): Expect(lacking="mona"),
    ("monitoring_http", "GET", "/agents"): Expect(lacking="alex"),
    ("monitoring_http", "GET", "/me"): Expect(may=("alex", "mona")),
    # sam (support) asking for alex (billing): another team's agent looks missing.
    ("monitoring_http", "POST", "/agents/<agent_id>/monitor"): Expect(lacking="alex", other="sam"),
    ("monitoring_http", "POST", "/calls/<session_id>/monitor/mode"): Expect(
        lacking="alex", other="sam", body={"mode": "listen"}
    ),
    **{
        ("monitoring_http", m, p): Expect(lacking="alex", other="sam")
        for m, p in (
            ("GET", "/calls/<session_id>"),
            ("GET", "/chats/<session_id>"),
            ("POST", "/calls/<session_id>/monitor"),
            ("POST", "/calls/<session_id>/monitor/stop"),
            ("POST", "/chats/<session_id>/view"),
            ("POST", "/chats/<session_id>/view/stop"),
        )
    },
    **{
        ("monitoring_http", "POST", p): Expect(lacking="sam", other="quinn", body=REASON)
        for p in ("/calls/<session_id>/end", "/chats/<session_id>/end")
    },
    # attributes_http
    ("attributes_http", "PATCH", "/apps/api/v1/<collection>/<session_id>/customer_flag"): Expect(
        body={"verified_customer": True}
    ),
    ("attributes_http", "POST", "/sdk/sessions/<session_id>/custom_data"): Expect(
        other="sdk:someone-else", body={"custom_data": "x"}
    ),
    # notifications_http
    **{
        ("notifications_http", m, p): Expect(lacking="mona")
        for m, p in (
            ("GET", "/notifications/settings"),
            ("PUT", "/notifications/settings"),
            ("PATCH", "/notifications/settings"),
            ("GET", "/notifications/queues/<qid>/settings"),
            ("PUT", "/notifications/queues/<qid>/settings"),
            ("PATCH", "/notifications/queues/<qid>/settings"),
            *(
                (m, f"{prefix}{tail}")
                for prefix in ("/notifications/tones", "/notifications/whisper-clips")
                for m, tail in (
                    ("GET", ""),
                    ("POST", ""),
                    ("GET", "/<clip_id>"),
                    ("PUT", "/<clip_id>"),
                    ("DELETE", "/<clip_id>"),
                    ("GET", "/<clip_id>/preview"),
                )
            ),
        )
    },
    ("notifications_http", "GET", "/agent/sessions/<session_id>/announcement"): Expect(other="bea"),
    # Only the assigned agent is alerted or answers; anyone else sees no such session.
    **{
        ("notifications_http", m, p): Expect(other="bea", others=("cleo", "sam"))
        for m, p in (
            ("GET", "/agent/sessions/<session_id>/alert"),
            ("POST", "/agent/sessions/<session_id>/answer"),
        )
    },
    ("notifications_http", "GET", "/media/<path:obj>"): Expect(query="exp=9999999999&sig=00"),
    # smartactions_http
    ("smartactions_http", "POST", A): Expect(body={"kind": "photo"}, **ACTS_ON_SESSION),
    ("smartactions_http", "GET", A): Expect(**ACTS_ON_SESSION),
    ("smartactions_http", "GET", f"{A}/<rid>"): Expect(**ACTS_ON_SESSION),
    ("smartactions_http", "GET", "/agent/sessions/<session_id>/attachments"): Expect(
        **ACTS_ON_SESSION
    ),
    ("smartactions_http", "POST", "/agent/sessions/<session_id>/redact"): Expect(
        body={"action": "pause"}, **ACTS_ON_SESSION
    ),
    ("smartactions_http", "GET", S): Expect(other="sdk:someone-else"),
    **{
        ("smartactions_http", "POST", f"{S}/<rid>{tail}"): Expect(other="sdk:someone-else")
        for tail in ("/media", "/uploads", "/uploads/verify", "/fulfil", "/decline")
    },
    ("smartactions_http", "POST", "/sdk/sessions/<session_id>/attachments"): Expect(
        other="sdk:someone-else", query="filename=a.png"
    ),
    # settings_http: settings.edit (mona, a manager, lacks it); max edits only the support
    # team's queues (billing is another team's: 404; center-wide settings: 403).
    **{
        ("settings_http", r.method, r.path): (
            Expect(lacking="mona")
            if r.method == "GET" and r.path in ("/settings/queues", "/settings/audit")
            else Expect(
                lacking="mona",
                other="max",
                body={"id": "matrix-q", "name": "Matrix", "parent": "billing"},
            )
            if r.path == "/settings/queues"
            else Expect(
                lacking="mona",
                other="max",
                body={"changes": [{"method": "PATCH", "path": "/settings/queues/billing"}]},
            )
            if r.path == "/settings/preview"
            else Expect(lacking="mona", other="max")
            if r.path.startswith("/settings/queues/")
            else Expect(lacking="mona", scoped="max")
        )
        for r in declared("settings_http")
    },
}


def expectations(fn: str) -> list[tuple[str, str, Expect]]:
    """(method, rule, expectation) of every route the function serves: the caller type its
    Router declares, the rest from EXPECT."""
    return [
        (r.method, r.path, replace(EXPECT.get((fn, r.method, r.path), Expect()), caller=r.caller))
        for r in declared(fn)
    ]


# What each refusal must be, by caller type: (no credentials, wrong type, bad credential).
# Cloud Tasks deliveries need a Google-signed OIDC token first (401 without one); on the
# emulator suite its switch lets a token-less delivery through to the body HMAC (403).
REFUSAL = {"twilio": 403, "task": 401, "signed_url": 403}  # everything else: 401
_PARAM = re.compile(r"<(?:[a-z]+:)?([A-Za-z_]+)>")


def _forged(claims: dict[str, Any], secret: str = "not-the-secret-at-all-32-bytes!!!") -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _credentials(caller: str) -> tuple[dict[str, str], dict[str, str]]:
    """(wrong-type credentials, bad credentials of the right type) for a caller type."""
    import time

    now = int(time.time())
    portal_tok = bearer(seeding.portal("ada"))
    sdk_tok = bearer(seeding.sdk())
    if caller == "portal":
        return sdk_tok, bearer(
            _forged({"sub": "ada", "iat": now, "exp": now + 600, "iss": "contact-center-portal"})
        )
    if caller == "sdk":
        return portal_tok, bearer(
            _forged({"identifier": seeding.END_USER, "iat": now, "exp": now + 600})
        )
    if caller == "apps":
        return portal_tok, basic("demo", "wrong-token")
    if caller == "twilio":
        return portal_tok, {"X-Twilio-Signature": base64.b64encode(b"x" * 20).decode()}
    if caller == "cx":
        return portal_tok, {"X-Webhook-Secret": "wrong-secret"}
    if caller == "crm_key":
        return basic("demo", "local-apps-token"), {"X-CRM-Key": "wrong-key"}
    if caller == "task":
        return portal_tok, {"X-Recording-Task-Signature": "0" * 64}
    if caller == "viewer":
        return portal_tok, bearer(_forged({"sub": "ada", "iat": now, "exp": now + 600}))
    return {}, {}


def _other_kinds(caller: str) -> list[tuple[str, dict[str, str]]]:
    """Tokens the company secret signs for another role: never an end-user login."""
    import time

    from core.settings import settings

    if caller != "sdk":
        return []
    now = int(time.time())
    secret = settings().company_secret.get_secret_value()
    flag = {"label": "Verified", "value": True, "type": "boolean"}
    custom = {"identifier": seeding.END_USER, "reserved_verified_customer": flag}
    verification = {
        "purpose": "smartactions_verification",
        "identifier": seeding.END_USER,
        "session_id": "x",
        "request_id": "x",
        "result": {"method": "pin", "success": True},
        "jti": "matrix-jti",
    }
    return [
        (label, bearer(_forged(claims | {"iat": now, "exp": now + 300}, secret)))
        for label, claims in (
            ("signed custom data as the end-user token", custom),
            ("a verification result as the end-user token", verification),
        )
    ]


def _url(base: str, rule: str, seeds: seeding.Seeds, query: str) -> str:
    names = _PARAM.findall(rule)
    placeholders = {
        "sid": "RE" + "0" * 32,
        "clip_id": "missing",
        "agent_id": "alex",
        "token": "x.y.z",
        "obj": "tones/x.mp3",
        **{n: "x" for n in names},
    }
    values = seeds.ids({n: placeholders[n] for n in names}, rule)
    path = _PARAM.sub(lambda m: str(values[m.group(1)]), rule)
    return f"{base}{path}" + (f"?{query}" if query else "")


def _send(method: str, url: str, e: Expect, headers: dict[str, str]) -> requests.Response:
    kw: dict[str, Any] = {"headers": headers, "timeout": 30}
    if method in ("POST", "PUT", "PATCH"):
        if e.caller == "twilio":
            kw["data"] = {"CallSid": "CA" + "0" * 32}
        elif e.caller == "signed_url" or (e.body is None and "media" in url):
            kw["data"] = b"\x89PNG\r\n\x1a\n"
        else:
            kw["json"] = e.body or {}
    return requests.request(method, url, **kw)


def _portal(user_id: str) -> dict[str, str]:
    return bearer(seeding.portal(user_id))


@dataclass(frozen=True)
class SignIns:
    """Real credentials of portal callers that must be refused (Auth emulator, IAM stand-in)."""

    revoked: str  # ada signed in, then signed out everywhere (refresh tokens revoked)
    stranger: str  # a verified Identity Platform account whose email no config user has
    other_audience: str  # the CI service account's ID token minted for another function
    unknown_service: str  # a service account no config user names


def _sign_ins(suite: Any, fn_url: str, other_url: str) -> SignIns:
    import time

    from emulators.signin import DEMO_PASSWORD
    from emulators.standins.iam_server import generate_id_token
    from tests.helpers.common import DEMO_SERVICE_ACCOUNT

    auth = suite.people()  # the Auth emulator, or the stand-in's Identity Platform
    # An account of its own: the seeds' tokens (ada's among them) must stay valid. The
    # revocation is checked before the email is mapped to a config user.
    gone = auth.create_user("signed-out@acme-telecom.example", DEMO_PASSWORD)
    revoked = auth.id_token("signed-out@acme-telecom.example")
    auth.revoke(gone)
    time.sleep(1.2)  # validSince has one-second resolution
    auth.create_user("stranger@example.com", DEMO_PASSWORD)
    iam = suite.url("iam")
    return SignIns(
        revoked=revoked,
        stranger=auth.id_token("stranger@example.com"),
        other_audience=generate_id_token(iam, DEMO_SERVICE_ACCOUNT, other_url),
        unknown_service=generate_id_token(iam, "nobody@elsewhere.iam.gserviceaccount.com", fn_url),
    )


def _portal_rows(method: str, who: SignIns) -> list[tuple[str, dict[str, str], set[int]]]:
    rows = [
        ("person unknown to the config", bearer(who.stranger), {403}),
        ("service account, token for another function", bearer(who.other_audience), {401}),
        ("service account unknown to the config", bearer(who.unknown_service), {403}),
    ]
    if method not in ("GET", "HEAD"):  # reads trust an unexpired token; writes check
        rows.append(("signed out everywhere (revoked token)", bearer(who.revoked), {401}))
    return rows


def _matrix(
    fn: str,
    base: str,
    seeds: seeding.Seeds,
    sign_ins: SignIns | None = None,
    suite: Any | None = None,
) -> tuple[int, list[str]]:
    bad: list[str] = []
    sent = 0
    for method, rule, e in expectations(fn):
        if e.caller == "public":
            # Public: it answers without credentials (never 401 / 403, never a 5xx).
            r = _send(method, _url(base, rule, seeds, e.query), e, {})
            sent += 1
            if r.status_code in (401, 403) or r.status_code >= 500:
                bad.append(f"{fn} {method} {rule} [public, no credentials]: {r.status_code}")
            continue
        url = _url(base, rule, seeds, e.query)
        refusal = REFUSAL.get(e.caller, 401)
        wrong, forged = _credentials(e.caller)
        # Expected codes; None: authorized (anything but 401 / 403 / 404 / 5xx).
        rows: list[tuple[str, dict[str, str], set[int] | None]] = [
            (
                "signed out (no credentials)",
                {},
                {refusal, 400} if e.caller == "signed_url" else {refusal},
            ),
        ]
        if e.caller == "portal" and sign_ins is not None:
            rows += _portal_rows(method, sign_ins)
        if e.caller != "signed_url":
            rows += [("wrong caller type", wrong, {refusal}), ("bad credential", forged, {refusal})]
        rows += [(label, headers, {401}) for label, headers in _other_kinds(e.caller)]
        if e.caller == "task" and suite is not None and not suite.cloud:
            rows = [(label, h, {403} if "Authorization" not in h else x) for label, h, x in rows]
        if e.caller == "task" and suite is not None and suite.cloud:
            from emulators.suite import push_account

            token = suite.issuer().mint(base, push_account(suite.project))
            rows.append(("a valid token of another account", bearer(token), {403}))
        if e.lacking:
            rows.append(
                (f"{e.lacking} lacks the permission", bearer(seeding.portal(e.lacking)), {403})
            )
        if e.scoped:
            rows.append((f"{e.scoped} (team-scoped)", bearer(seeding.portal(e.scoped)), {403}))
        if e.other:
            who = (
                bearer(seeding.sdk(e.other[4:]))
                if e.other.startswith("sdk:")
                else bearer(seeding.portal(e.other))
            )
            rows.append((f"{e.other} (another team / end user)", who, {404}))
        if e.unassigned:
            rows.append((f"{e.unassigned} (same team, not assigned)", _portal(e.unassigned), {403}))
        rows += [(f"{u} (another team)", _portal(u), {404}) for u in e.others]
        rows += [(f"{u} (may act)", _portal(u), None) for u in e.may]
        for label, headers, expected in rows:
            r = _send(method, url, e, headers)
            sent += 1
            ok = (
                r.status_code < 500 and r.status_code not in (401, 403, 404)
                if expected is None
                else r.status_code in expected
            )
            if not ok:
                bad.append(
                    f"{fn} {method} {rule} [{label}]: {r.status_code}, expected "
                    f"{sorted(expected) if expected else 'authorized'}: {r.text[:200]}"
                )
    return sent, bad


def test_every_route_is_in_the_table() -> None:
    """Every EXPECT row names a served route, and every route's caller type is one the
    matrix knows how to refuse."""
    served = {(fn, r.method, r.path): r.caller for fn in http_functions() for r in declared(fn)}
    stale = sorted(set(EXPECT) - set(served))
    assert not stale, f"table rows for routes that no longer exist: {stale}"
    known = {"twilio", "sdk", "apps", "portal", "cx", "crm_key", "task", "viewer", "signed_url"}
    unknown = {k: c for k, c in served.items() if c not in known | {"public"}}
    assert not unknown, f"routes whose caller type the matrix cannot test: {unknown}"


def test_table_agrees_with_the_openapi_description() -> None:
    """The caller column (the Routers' declarations) is the one the OpenAPI files state."""
    import yaml
    from openapi_check import openapi_path

    wrong = {}
    for fn in http_functions():
        doc = yaml.safe_load((ROOT / "docs" / "openapi" / f"{fn}.yaml").read_text())
        for method, rule, e in expectations(fn):
            stated = doc["paths"][openapi_path(rule)][method.lower()]["x-caller"]
            if stated != e.caller:
                wrong[(fn, method, rule)] = (e.caller, stated)
    assert not wrong, wrong


@pytest.mark.parametrize("fn", http_functions())
def test_auth_matrix(fn: str, functions: Any, apply_config: Any) -> None:
    apply_config(seeding.center_with_colleagues())
    urls = {name: functions.function_url(name) for name in functions.function_ports}
    seeds = seeding.make(urls)
    other = urls["monitoring_http" if fn != "monitoring_http" else "notifications_http"]
    sent, bad = _matrix(fn, urls[fn], seeds, _sign_ins(functions, urls[fn], other), functions)
    print(f"\nauth matrix {fn}: {sent} requests, {len(bad)} unexpected")
    assert sent > 0
    assert not bad, "\n".join(bad)


# Where a silent-monitoring leg may be dialled, by caller: only their own softphone
# identity or the phone number of their own profile. (user, `to` or None, expected status)
LISTENING_TARGETS: list[tuple[str, str, str | None, int]] = [
    ("own softphone (default)", "mona", None, 201),
    ("own softphone", "mona", "client:mona", 201),
    ("own profile phone", "mona", "+14155550177", 201),
    ("another user's softphone", "mona", "client:alex", 403),
    ("another user's profile phone", "mona", "+14155550101", 403),
    ("an outside number", "mona", "+19005550100", 403),
    ("a SIP URI", "mona", "sip:tap@listener.example.com", 403),
    ("a SIPS URI", "ada", "sips:tap@listener.example.com", 403),
    ("own softphone of a configured identity", "ada", "client:ada-browser", 201),
    ("the user id when a softphone is configured", "ada", "client:ada", 403),
]


def test_listening_targets(functions: Any, apply_config: Any) -> None:
    """Silent monitoring dials only the caller's own softphone or own profile phone."""
    import yaml

    from tests.helpers.common import DEMO_CONFIG

    cfg = yaml.safe_load(DEMO_CONFIG.read_text())
    cfg["users"]["mona"]["phone"] = "+14155550177"
    cfg["users"]["ada"]["softphone"] = "ada-browser"
    apply_config(cfg)
    base, twilio = functions.function_url("monitoring_http"), functions.url("twilio")
    bad: list[str] = []
    for label, user, to, expected in LISTENING_TARGETS:
        live = seeding.live_conference(twilio)
        call = seeding.put_call(live=live)
        body = {} if to is None else {"to": to}
        r = requests.post(
            f"{base}/calls/{call}/monitor",
            json=body,
            headers=bearer(seeding.portal(user)),
            timeout=30,
        )
        joined = requests.get(f"{twilio}/_control/conferences/{live[0]}/participants", timeout=10)
        legs = joined.json()["participants"]
        dialled = [p["params"]["To"] for p in legs if (p["label"] or "").startswith("monitor-")]
        ok = r.status_code == expected and (
            dialled == [to or f"client:{user}"]
            if expected == 201
            else not dialled and r.json()["error"]["field"] == "to"
        )
        if not ok:
            bad.append(f"{label} ({user} -> {to}): {r.status_code} {r.text[:200]}; {dialled}")
    assert not bad, "\n".join(bad)
