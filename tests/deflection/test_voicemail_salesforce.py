"""With CRM=salesforce a voicemail for a queue without agents becomes a Salesforce Case with
the audio attached (a ContentVersion published to it), once, through the served delivery
function."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

import pytest
import requests

from tests.deflection.test_voicemail import TUE_MORNING, leave_voicemail, voicemails
from tests.helpers.deflection import MON_NIGHT, demo_dict, wait_for


@pytest.fixture(scope="module")
def sf_delivery(functions: Any) -> str:
    return functions.start_variant("deflection_voicemail_delivery", {"CRM": "salesforce"})


def _push(suite: Any, url: str) -> requests.Response:
    """A scheduler tick pushed to the variant as Pub/Sub pushes it (in the cloud-shaped
    suite with the push account's OIDC token, its URL the audience)."""
    from emulators.suite import push_account

    data = base64.b64encode(json.dumps({}).encode()).decode()
    body = {
        "message": {"data": data, "messageId": secrets.token_hex(8), "attributes": {}},
        "subscription": "projects/demo/subscriptions/deflection_voicemail_delivery-push",
    }
    headers = {}
    if suite.cloud:
        token = suite.issuer().mint(url, push_account(suite.project))
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(url + "/", json=body, headers=headers, timeout=60)


def _records(functions: Any, sobject: str) -> list[dict[str, Any]]:
    r = requests.get(f"{functions.url('salesforce')}/_control/records/{sobject}", timeout=10)
    r.raise_for_status()
    return r.json()["records"]


def test_voicemail_becomes_a_salesforce_case_with_the_audio_once(
    demo_as_of: Any, functions: Any, twilio_post: Any, sf_delivery: str
) -> None:
    cfg = demo_dict()
    cfg["queues"].append(
        {
            "id": "night-line",
            "name": "Night line",
            "channels": ["voice"],
            "deflection": {"voice": {"enabled": True, "option": "voicemail"}},
        }
    )
    demo_as_of(MON_NIGHT, cfg)  # closed: the caller leaves a voicemail
    sid = leave_voicemail(functions, twilio_post, "night-line", seconds=2)
    vm = wait_for(voicemails)[0]
    demo_as_of(TUE_MORNING, cfg)  # open: the next tick delivers it
    assert _push(functions, sf_delivery).status_code < 300
    assert _push(functions, sf_delivery).status_code < 300  # a second run adds nothing
    done = wait_for(lambda: [v for v in voicemails() if v["status"] == "delivered"])[0]
    assert done["delivery"]["to"] == "crm" and done["delivery"]["crm"] == "salesforce"

    cases = [
        c for c in _records(functions, "Case") if c.get("SuppliedName") == f"voicemail:{vm['id']}"
    ]
    assert len(cases) == 1 and cases[0]["Id"] == done["delivery"]["ticket_id"]
    assert cases[0]["Subject"].startswith("Voicemail for Night line")
    assert cases[0]["Origin"] == "Phone"
    r = requests.get(
        f"{functions.url('salesforce')}/_control/cases/{cases[0]['Id']}/files", timeout=10
    )
    files = r.json()["files"]
    assert len(files) == 1 and files[0]["size"] == 1600
    assert files[0]["path_on_client"] == f"voicemail-{vm['id']}.wav"
    # Nothing went to Zendesk, and the call's session links the case.
    time.sleep(1)
    zd = requests.get(f"{functions.url('zendesk')}/_control/tickets", timeout=10).json()
    assert not [t for t in zd["tickets"] if t.get("external_id") == f"voicemail:{vm['id']}"]
    from core.sessions import store

    assert store.get(sid)["crm"]["ticket_id"] == cases[0]["Id"]
