"""Routes of the recordings_http function: the carrier's recording-status callback, the
delivery worker (Cloud Tasks), and signed access for the CRM (key + TOTP handshake, then
short-lived URLs).

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
"""

from __future__ import annotations

import flask

from core.http import Router
from core.routes import FORM, TWIML

router = Router("recordings_http")
route = router.route

route(
    "POST",
    "/twilio/recording-status",
    "recordings.callback:handle",
    caller="twilio",
    summary="Carrier recording-status callback",
    body=FORM,
    ok=(200, 204),
    produces=TWIML,
)
route(
    "POST",
    "/tasks/deliver",
    "recordings.task_route:deliver",
    caller="task",
    summary="Delivery worker (Cloud Tasks)",
    body="recordings.task_route:TaskBody",
    response="recordings.responses:DeliveryOutcome",
)
route(
    "POST",
    "/recordings/session",
    "recordings.mfa:start_session",
    caller="crm_key",
    summary="MFA handshake: CRM key + one-time TOTP code -> a short-lived session",
    headers=("X-CRM-TOTP",),
    response="recordings.responses:CrmSession",
)
route(
    "GET",
    "/recordings/<sid>/url",
    "recordings.access:signed_url",
    caller="crm_key",
    summary="Short-lived URL of a recording (CRM key + MFA session)",
    headers=("X-CRM-Session",),
    response="recordings.responses:RecordingUrl",
)
route(
    "GET",
    "/recordings/<sid>/media",
    "recordings.access:media",
    caller="signed_url",
    summary="Recording bytes (signed URL)",
    params=("exp", "sig"),
    produces="audio/x-wav",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
