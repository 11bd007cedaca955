"""SIP data parameters both ways: inbound X- headers -> flags, flags -> outbound <Sip> URI."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree

import pytest

from tests.helpers.attributes import (
    REDIRECTION,
    call_sid,
    make_call,
    profile_notes,
    wait_ticket,
    with_redirection,
)
from tests.helpers.common import twilio_signed

PUBLIC = "https://attributes.example.test"


def _post(client, path: str, params: dict[str, str]):
    headers = twilio_signed(PUBLIC + path, params)
    return client.post(
        path,
        data=urlencode(params),
        headers=headers,
        content_type="application/x-www-form-urlencoded",
    )


def test_mapping_both_ways_pure() -> None:
    from attributes import sip
    from core.config.schema.redirection import Redirection

    red = Redirection.model_validate(REDIRECTION)
    headers = sip.parse_sip_headers(
        {
            "SipHeader_X-Verified": "TRUE",
            "SipHeader_x-fraud-flag": "no;src=crm",
            "SipHeader_X-Other": "1",
            "From": "sip:a@b",
        }
    )
    assert headers == {"x-verified": "TRUE", "x-fraud-flag": "no;src=crm", "x-other": "1"}
    assert sip.flags_from_headers(red, headers) == (
        {"verified_customer": True, "bad_actor": False},
        {},
    )
    assert sip.flags_from_headers(red, {"x-verified": "maybe"}) == ({}, {"X-Verified": "maybe"})
    off = red.model_copy(deep=True)
    off.sip.data_parameters_enabled = False
    assert sip.flags_from_headers(off, headers) == ({}, {})

    uri = sip.build_sip_uri(
        red, {"verified_customer": True, "bad_actor": False, "repeat_customer": True}
    )
    base, _, query = uri.partition("?")
    assert base == "sip:overflow@pbx.partner.example"
    assert dict(parse_qsl(query)) == {
        "X-Verified": "true",
        "X-Fraud-Flag": "false",
        "X-Repeat-Customer": "true",
    }
    assert sip.build_sip_uri(off, {}) == "sip:overflow@pbx.partner.example"
    # Hostile header values never reach the outbound URI (values are our booleans).
    assert sip.parse_sip_headers({"SipHeader_X-Verified": "true\r\nX-Evil: 1"}) == {}


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"uri": "tel:+1555"}, "uri"),
        ({"uri": "sip:a@b?x-h=1"}, "uri"),
        (
            {
                "data_parameters": [
                    {
                        "field": "vip",
                        "type": "dynamic",
                        "source": "sip_header",
                        "source_field": "X-Vip",
                    }
                ]
            },
            "field",
        ),
        (
            {
                "data_parameters": [
                    {
                        "field": "bad_actor",
                        "type": "static",
                        "source": "sip_header",
                        "source_field": "X-B",
                    }
                ]
            },
            "type",
        ),
        (
            {
                "data_parameters": [
                    {"field": "bad_actor", "source": "sip_header", "source_field": "Via"}
                ]
            },
            "data_parameters",
        ),
        ({"data_records": {"in_metadata": True, "in_crm": True}}, "in_crm"),
    ],
)
def test_redirection_config_is_validated(bad, field) -> None:
    from core.config.loader import ConfigError, parse

    cfg = with_redirection()
    cfg["queues"][0]["redirection"]["sip"] |= bad
    with pytest.raises(ConfigError) as exc:
        parse(cfg)
    locs = [path for path, _ in exc.value.problems]
    assert any("redirection" in loc and field in loc for loc in locs), locs


def test_inbound_headers_set_flags_then_redirect_carries_them(
    suite, attrs_config, app_client
) -> None:
    from core.sessions import store

    client = app_client("attributes_http", PUBLIC)
    sid = call_sid()
    params = {
        "CallSid": sid,
        "From": "sip:caller@carrier.example",
        "To": "sip:cc@ours",
        "SipHeader_X-Verified": "true",
        "SipHeader_X-Fraud-Flag": "false",
        "SipHeader_X-Noise": "x" * 5000,
    }
    path = "/twilio/sip/inbound?queue_id=billing-refunds"
    # Unsigned / forged: refused, nothing written.
    r = client.post(path, data=urlencode(params), content_type="application/x-www-form-urlencoded")
    assert r.status_code == 403 and store.get(sid) is None

    r = _post(client, path, params)
    assert r.status_code == 200, r.data
    root = ElementTree.fromstring(r.data)
    assert root.find("Redirect").text == PUBLIC + "/twilio/sip/redirect"
    doc = store.get(sid)
    assert doc["profile"]["verified_customer"] is True and doc["profile"]["label"] == "verified"
    assert doc["attributes"]["sip_headers"] == {"x-verified": "true", "x-fraud-flag": "false"}
    assert doc["profile_history"][-1]["source"] == "sip_headers"
    # Twilio retrying the same webhook changes nothing.
    assert _post(client, path, params).status_code == 200
    assert len(store.get(sid)["profile_history"]) == 1

    # The Apps API then marks a repeat customer; the redirect sends all three.
    from attributes import flags

    flags.apply(sid, {"repeat_customer": True}, source="apps_api", key="t1")
    r = _post(client, "/twilio/sip/redirect", {"CallSid": sid})
    assert r.status_code == 200
    sip_uri = ElementTree.fromstring(r.data).find("Dial/Sip").text
    parts = urlsplit(sip_uri)
    assert f"{parts.scheme}:{parts.path}" == "sip:overflow@pbx.partner.example"
    assert dict(parse_qsl(parts.query)) == {
        "X-Verified": "true",
        "X-Fraud-Flag": "false",
        "X-Repeat-Customer": "true",
    }
    doc = store.get(sid)
    assert doc["attributes"]["sip_redirect"]["data_parameters"]["X-Repeat-Customer"] == "true"

    # in_crm_record: the ticket carries the flag tags (both changes, written by
    # attributes_on_event) and the redirection note, once.
    assert _post(client, "/twilio/sip/redirect", {"CallSid": sid}).status_code == 200
    t = wait_ticket(suite, sid, lambda t: len(profile_notes(t)) >= 2)
    assert {"cc_verified_customer", "cc_repeat_customer"} <= set(t["tags"])
    assert "cc_bad_actor" not in t["tags"]
    notes = [c["body"] for c in t["comments"] if "redirected to external SIP" in c["body"]]
    assert len(notes) == 1 and "X-Repeat-Customer" in notes[0]
    assert store.get(sid)["crm_sync"]["state"] == "ok"


def test_inbound_rejects_bad_input(suite, attrs_config, app_client) -> None:
    client = app_client("attributes_http", PUBLIC)
    sid = call_sid()
    base = {"CallSid": sid}
    assert _post(client, "/twilio/sip/inbound?queue_id=billing", base).status_code == 400
    assert _post(client, "/twilio/sip/inbound?queue_id=nope", base).status_code == 400
    r = _post(
        client, "/twilio/sip/inbound?queue_id=billing-refunds&next=https://evil.example/x", base
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "next"
    r = _post(client, "/twilio/sip/inbound?queue_id=billing-refunds", {"CallSid": "CA1"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "CallSid"
    many = base | {f"SipHeader_X-H{i}": "1" for i in range(100)}
    r = _post(client, "/twilio/sip/inbound?queue_id=billing-refunds", many)
    assert r.status_code == 400
    # A queue without redirection cannot redirect.
    other = make_call("support-internet")
    r = _post(client, "/twilio/sip/redirect", {"CallSid": other})
    assert r.status_code == 409
    assert _post(client, "/twilio/sip/redirect", {"CallSid": call_sid()}).status_code == 404
