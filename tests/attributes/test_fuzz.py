"""Bounded fuzzing (hypothesis) of the SIP-header and custom-data parsers, and of the
Apps API body through the served handler: nothing but the modules' own validation
errors, never a 5xx."""

from __future__ import annotations

import json
import time

import jwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.attributes import basic, make_call

SECRET = "local-company-secret-at-least-32-bytes!"
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40)
)
json_value = st.recursive(
    json_leaf,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=12), kids, max_size=4)
    ),
    max_leaves=12,
)
header_names = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["X-Verified", "x-fraud-flag", "X-Repeat", "X-\r\nEvil", "", "Via"]),
)
header_values = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["true", "FALSE", "yes;p=1", "0", "\x00", "true\r\nX-A: b", '"true"', "x" * 2000]
    ),
    st.integers(),
    st.none(),
    st.binary(max_size=20),
)


@FUZZ
@given(
    st.dictionaries(
        st.one_of(
            header_names.map(lambda n: "SipHeader_" + n), st.text(max_size=20), st.integers()
        ),
        header_values,
        max_size=80,
    )
)
def test_sip_header_parser_never_crashes(params) -> None:
    from attributes import sip
    from core.config.schema.redirection import Redirection
    from tests.helpers.attributes import REDIRECTION

    red = Redirection.model_validate(REDIRECTION)
    try:
        headers = sip.parse_sip_headers(params)
    except sip.SipHeaderError:
        assert sum(isinstance(k, str) and k.startswith("SipHeader_") for k in params) > 64
        return
    for name, value in headers.items():
        assert name == name.lower() and len(value) <= sip.MAX_VALUE
        assert "\r" not in value and "\n" not in value and "\x00" not in value
        sip.parse_bool(value)
    values, _ = sip.flags_from_headers(red, headers)
    uri = sip.build_sip_uri(red, values)
    assert "\r" not in uri and "\n" not in uri and " " not in uri


@FUZZ
@given(
    st.dictionaries(
        st.one_of(
            st.sampled_from(
                [
                    "reserved_verified_customer",
                    "reserved_bad_actor",
                    "reserved_repeat_customer",
                    "reserved_x",
                    "identifier",
                    "iat",
                    "exp",
                    "plan",
                ]
            ),
            st.text(max_size=20),
        ),
        st.one_of(
            json_value,
            st.fixed_dictionaries(
                {
                    "label": json_leaf,
                    "value": json_leaf,
                    "type": st.sampled_from(["boolean", "string", "number", "date", ""]),
                }
            ),
        ),
        max_size=8,
    ),
    st.integers(min_value=-100000, max_value=200000),
    st.integers(min_value=-10, max_value=90000),
)
def test_custom_data_parser_only_raises_its_own_error(claims, skew, ttl) -> None:
    from attributes.custom_data import InvalidCustomData, parse

    now = int(time.time()) + skew
    body = {"iat": now, "exp": now + ttl} | claims
    try:
        token = jwt.encode(body, SECRET, algorithm="HS256")
    except (TypeError, ValueError):
        return  # not JSON-encodable: no SDK could send it
    try:
        data = parse(token, for_identifier="user-1")
    except InvalidCustomData as exc:
        assert 400 <= exc.status < 500 and exc.field.startswith("custom_data")
        return
    assert set(data.flags) <= {"verified_customer", "bad_actor", "repeat_customer"}
    assert all(isinstance(v, bool) for v in data.flags.values())


@FUZZ
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_custom_data_parser_on_garbage_tokens(token) -> None:
    from attributes.custom_data import InvalidCustomData, parse

    try:
        parse(token)
    except InvalidCustomData:
        pass


def test_apps_api_bodies_never_5xx(suite, demo, app_client) -> None:
    client = app_client("attributes_http", "https://attributes.example.test")
    sid = make_call()
    url = f"/apps/api/v1/calls/{sid}/customer_flag"

    @settings(
        max_examples=50,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.one_of(
            json_value,
            st.dictionaries(
                st.sampled_from(
                    ["verified_customer", "bad_actor", "repeat_customer", "repeat_customers", "x"]
                ),
                json_leaf,
                max_size=4,
            ),
        )
    )
    def one(body) -> None:
        r = client.patch(
            url, data=json.dumps(body), headers=basic(), content_type="application/json"
        )
        assert r.status_code in (200, 400), (body, r.status_code, r.get_json())
        assert "error" in r.get_json() or "call" in r.get_json()

    one()
