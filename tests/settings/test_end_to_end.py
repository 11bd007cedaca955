"""End to end through the served functions: an admin signs in, edits hours and deflection through
the Settings API, and the next signed IVR webhook answers accordingly."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import requests

from tests.helpers.common import twilio_signed


def _voice(functions: Any, queue: str) -> ET.Element:
    url = functions.function_url("deflection_http") + "/twilio/voice?" + urlencode({"queue": queue})
    params = {
        "CallSid": "CA" + uuid.uuid4().hex,
        "From": "+14155550123",
        "To": "+18005550100",
        "AccountSid": "AC" + "0" * 32,
    }
    r = requests.post(url, data=params, headers=twilio_signed(url, params), timeout=30)
    assert r.status_code == 200, r.text
    return ET.fromstring(r.text)


def test_hours_and_deflection_edited_through_the_api_drive_the_next_call(
    functions, demo, signed_in
) -> None:
    """The admin signs in on the Auth emulator with email and password, as a browser does."""
    base = functions.function_url("settings_http")
    auth = {"Authorization": f"Bearer {signed_in('ada')}"}

    def etag(path: str) -> dict[str, str]:
        r = requests.get(base + path, headers=auth, timeout=30)
        assert r.status_code == 200, r.text
        return auth | {"If-Match": r.headers["ETag"]}

    # A schedule with no opening hours at all, and the queue switched to it, with its own
    # after-hours option: dial the billing hotline.
    r = requests.put(base + "/settings/hours/closed", json={"weekly": {}}, headers=auth, timeout=30)
    assert r.status_code == 201, r.text
    r = requests.patch(
        base + "/settings/queues/billing-payments",
        json={
            "hours": {"default": "closed"},
            "deflection": {"voice": {"enabled": True, "option": "phone", "phone": "+18005550177"}},
        },
        headers=etag("/settings/queues/billing-payments"),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    xml = _voice(functions, "billing-payments")
    assert [(c.tag, (c.text or "").strip()) for c in xml if c.tag == "Dial"] == [
        ("Dial", "+18005550177")
    ]

    # Open round the clock: the next call is queued.
    r = requests.put(
        base + "/settings/hours/closed",
        json={"always_open": True},
        headers=etag("/settings/hours/closed"),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    xml = _voice(functions, "billing-payments")
    assert [c.tag for c in xml] == ["Enqueue"] and xml[0].text == "billing-payments"

    # Closed again, and the center-wide switch for this queue's option changed to a
    # message: the queue's override is removed (merge patch null), the center's voicemail
    # applies.
    r = requests.put(
        base + "/settings/hours/closed",
        json={"weekly": {}},
        headers=etag("/settings/hours/closed"),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = requests.patch(
        base + "/settings/queues/billing-payments",
        json={"deflection": {"voice": None}},
        headers=etag("/settings/queues/billing-payments"),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    r = requests.patch(
        base + "/settings/deflection",
        json={"voice": {"option": "message"}},
        headers=etag("/settings/deflection"),
        timeout=30,
    )
    assert r.status_code == 200, r.text
    xml = _voice(functions, "billing-payments")
    tags = [c.tag for c in xml]
    assert "Dial" not in tags and "Enqueue" not in tags and "Record" not in tags, tags
    assert tags[-1] == "Hangup", tags
