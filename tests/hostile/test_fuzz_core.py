"""Hostile input against the shared parsers: never an unhandled exception, never a 5xx."""

from __future__ import annotations

import time

import jwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.auth import sdk_jwt
from core.config.loader import ConfigError, parse
from core.errors import ApiError
from core.settings import settings as app_settings

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(st.characters(codec="utf-8"), max_size=200)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.text(max_size=600))
def test_jwt_decoder_only_says_401(token: str) -> None:
    try:
        sdk_jwt.decode(token)
    except ApiError as exc:
        assert exc.status == 401


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["identifier", "iat", "exp", "phone", "name", "email", "nbf", "x"]),
        json_values,
        max_size=7,
    )
)
def test_signed_but_hostile_claims_are_4xx(claims: dict) -> None:
    token = jwt.encode(claims, app_settings().company_secret.get_secret_value(), algorithm="HS256")
    import flask

    app = flask.Flask("f")
    with app.test_request_context("/", headers={"Authorization": f"Bearer {token}"}):
        try:
            sdk_jwt.verify_end_user(flask.request)
        except ApiError as exc:
            assert 400 <= exc.status < 500


@FUZZ
@given(json_values)
def test_config_parser_only_reports_problems(data: object) -> None:
    try:
        parse(data)
    except ConfigError as exc:
        assert exc.problems and all(isinstance(p, str) for p, _ in exc.problems)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "CallSid",
                "CallStatus",
                "From",
                "To",
                "AccountSid",
                "CallDuration",
                "Direction",
                "junk",
            ]
        ),
        text,
        max_size=8,
    ),
    # header values cannot carry control characters (the HTTP client refuses them)
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
    st.binary(max_size=300),
)
def test_carrier_webhook_never_5xx(app_client, params: dict, signature: str, raw: bytes) -> None:
    """Unsigned / mis-signed / malformed form bodies: 4xx, and no session written."""
    from urllib.parse import urlencode

    client = _client(app_client)
    r1 = client.post(
        "/twilio/call-status",
        data=urlencode(params),
        headers={"X-Twilio-Signature": signature},
        content_type="application/x-www-form-urlencoded",
    )
    r2 = client.post(
        "/twilio/call-status", data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert r1.status_code in (400, 403) and r2.status_code in (400, 403)


_cached: dict = {}


def _client(app_client):  # one client per session: building the app is the slow part
    if "c" not in _cached:
        _cached["c"] = app_client("sessions_http", "https://fuzz.example")
    return _cached["c"]


def test_signed_fuzzed_callbacks_are_4xx_or_accepted(suite, demo, app_client) -> None:
    """Correctly signed but hostile values: a 400 naming the field, or a 204."""
    from hypothesis import given as g

    from tests.helpers.common import twilio_signed

    client = app_client("sessions_http", "https://fuzz.example")

    @FUZZ
    @g(st.fixed_dictionaries({"CallSid": text, "CallStatus": text}, optional={"From": text}))
    def run(params: dict) -> None:
        from urllib.parse import urlencode

        headers = twilio_signed("https://fuzz.example/twilio/call-status", params)
        r = client.post(
            "/twilio/call-status",
            data=urlencode(params),
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        )
        assert r.status_code in (204, 400), r.data
        if r.status_code == 400:
            assert r.get_json()["error"]["field"] in ("CallSid", "CallStatus")

    t0 = time.monotonic()
    run()
    assert time.monotonic() - t0 < 120
