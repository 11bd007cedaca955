"""Routes of the deflection_http function: carrier webhooks (IVR, voicemail, SMS, the carrier
legs of mobile SDK calls, callback messages and scheduled calls), SDK decisions and
bookings, the scheduled-call task, and the portal's transfer targets, presence and explain.

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
"""

from __future__ import annotations

import flask

from core.http import Router
from core.routes import FORM, TWIML

router = Router("deflection_http")
route = router.route
IVR_Q = ("queue", "language", "at")

route(
    "POST",
    "/twilio/voice",
    "deflection.ivr:voice",
    caller="twilio",
    summary="IVR: incoming call (TwiML)",
    body=FORM,
    params=(*IVR_Q, "callback"),
    produces=TWIML,
)
route(
    "POST",
    "/twilio/voicemail/number",
    "deflection.ivr:voicemail_number",
    caller="twilio",
    summary="IVR: callback number gathered for voicemail",
    body=FORM,
    params=(*IVR_Q, "attempt"),
    produces=TWIML,
)
route(
    "POST",
    "/twilio/voicemail/done",
    "deflection.ivr:voicemail_done",
    caller="twilio",
    summary="IVR: voicemail recorded",
    body=FORM,
    produces=TWIML,
)
route(
    "POST",
    "/twilio/voicemail/recording",
    "deflection.ivr:recording_status",
    caller="twilio",
    summary="Voicemail recording-status callback",
    body=FORM,
    params=(*IVR_Q, "callback"),
    ok=(200, 204),
    produces=TWIML,
)
route(
    "POST",
    "/twilio/voicemail/start",
    "deflection.sdk_voicemail:answered",
    caller="twilio",
    summary="Mobile callback message: the customer answered (TwiML greeting + record)",
    body=FORM,
    params=(*IVR_Q, "callback"),
    produces=TWIML,
)
route(
    "POST",
    "/twilio/scheduled-call",
    "deflection.scheduled:answered",
    caller="twilio",
    summary="Scheduled callback answered: into the queue (TwiML)",
    body=FORM,
    params=("queue", "language", "booking"),
    produces=TWIML,
)
route(
    "POST",
    "/twilio/sms",
    "deflection.sms:incoming",
    caller="twilio",
    summary="Incoming SMS (TwiML)",
    body=FORM,
    params=IVR_Q,
    produces=TWIML,
)
route(
    "POST",
    "/sdk/deflection",
    "deflection.sdk:sdk_decision",
    caller="sdk",
    summary="Mobile / web SDK after-hours decision",
    body="deflection.sdk:SdkDeflectionRequest",
    params=("at",),
    response="deflection.responses:SdkDecision",
)
route(
    "POST",
    "/sdk/chat/deflection",
    "deflection.sdk:chat_decision",
    caller="sdk",
    summary="Chat after-hours decision",
    body="deflection.sdk:ChatDeflectionRequest",
    params=("at",),
    response="deflection.responses:ChatDecision",
)
route(
    "POST",
    "/sdk/calls",
    "deflection.sdk_calls:start",
    caller="sdk",
    summary="Mobile SDK call: after-hours decision, queued session, params for the Voice SDK",
    body="deflection.sdk_calls:StartCall",
    params=("at",),
    ok=(201,),
    limited="anonymous starts per client address and per visitor, a minute",
    response="deflection.responses:SdkCall",
)
route(
    "POST",
    "/twilio/sdk-calls/voice",
    "deflection.sdk_calls:voice",
    caller="twilio",
    summary="Mobile SDK call: the carrier leg (TwiML App Voice URL), tied and enqueued",
    body=FORM,
    produces=TWIML,
)
route(
    "POST",
    "/sdk/voicemail",
    "deflection.sdk_voicemail:start",
    caller="sdk",
    summary="Mobile 'Leave a callback message': the carrier calls the customer for the queue",
    body="deflection.sdk_voicemail:VoicemailRequest",
    params=("at",),
    limited="anonymous starts per client address and per visitor, a minute",
    response="deflection.responses:CallbackMessage",
)
route(
    "POST",
    "/sdk/scheduled-calls",
    "deflection.scheduled:book",
    caller="sdk",
    summary="Book a scheduled-call slot (Idempotency-Key; per-slot capacity)",
    body="deflection.scheduled:BookRequest",
    params=("at",),
    ok=(200, 201),
    limited="anonymous starts per client address and per visitor, a minute",
    response="deflection.responses:BookingAnswer",
)
route(
    "DELETE",
    "/sdk/scheduled-calls/<booking_id>",
    "deflection.scheduled:cancel",
    caller="sdk",
    summary="Cancel one's own scheduled call",
    response="deflection.responses:Booking",
)
route(
    "POST",
    "/tasks/scheduled-call",
    "deflection.scheduled:run_task",
    caller="task",
    summary="Scheduled callback at the slot time (Cloud Tasks)",
    body="deflection.scheduled:TaskBody",
    response="deflection.responses:TaskOutcome",
)
route(
    "GET",
    "/agent/transfer-targets",
    "deflection.transfer:handle_targets",
    caller="portal",
    summary="Queues an agent may transfer to",
    query="deflection.transfer:TargetsQuery",
    response="deflection.responses:TransferTargets",
)
route(
    "GET",
    "/agent/presence",
    "deflection.presence:get",
    caller="portal",
    summary="The caller's presence",
    response="deflection.responses:Presence",
)
route(
    "PUT",
    "/agent/presence",
    "deflection.presence:put",
    caller="portal",
    summary="Log in / out for contacts",
    body="deflection.presence:PresenceBody",
    response="deflection.responses:Presence",
)
route(
    "GET",
    "/explain",
    "deflection.explain:handle",
    caller="portal",
    summary="What would happen, and the rule behind it",
    query="deflection.explain:ExplainQuery",
    response="deflection.responses:Explanation",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
