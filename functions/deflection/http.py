"""Routes of the deflection_http function.

Carrier webhooks (Twilio-signed):  POST /twilio/voice, /twilio/sms,
  /twilio/voicemail/number, /twilio/voicemail/done, /twilio/voicemail/recording,
  /twilio/sdk-calls/voice (the TwiML App of mobile SDK calls),
  /twilio/voicemail/start (the leg of a mobile callback message),
  /twilio/scheduled-call (the answered leg of a scheduled callback)
SDK (end-user JWT):                 POST /sdk/deflection, /sdk/chat/deflection, /sdk/calls,
                                    POST /sdk/voicemail, POST /sdk/scheduled-calls,
                                    DELETE /sdk/scheduled-calls/<booking_id>
Cloud Tasks (signed body):          POST /tasks/scheduled-call
Portal (user token):                GET /agent/transfer-targets, GET|PUT /agent/presence,
                                    GET /explain
"""

from __future__ import annotations

import flask

from core.http import Router, lazy_modules
from core.manifest import manifest

explain, ivr, presence, scheduled, sdk, sdk_calls, sdk_voicemail, sms, transfer = lazy_modules(
    "deflection",
    "explain",
    "ivr",
    "presence",
    "scheduled",
    "sdk",
    "sdk_calls",
    "sdk_voicemail",
    "sms",
    "transfer",
)
# The Cloud Tasks route, declared with the function (equal to scheduled.TASK_ROUTE: tested).
_TASKS = manifest().function("deflection_http").tasks_path or "/tasks/scheduled-call"

router = Router("deflection_http")
router.route("/twilio/voice", ["POST"])(ivr.voice)
router.route("/twilio/voicemail/number", ["POST"])(ivr.voicemail_number)
router.route("/twilio/voicemail/done", ["POST"])(ivr.voicemail_done)
router.route("/twilio/voicemail/recording", ["POST"])(ivr.recording_status)
router.route("/twilio/voicemail/start", ["POST"])(sdk_voicemail.answered)
router.route("/twilio/sms", ["POST"])(sms.incoming)
router.route("/sdk/deflection", ["POST"])(sdk.sdk_decision)
router.route("/sdk/chat/deflection", ["POST"])(sdk.chat_decision)
router.route("/sdk/calls", ["POST"])(sdk_calls.start)
router.route("/twilio/sdk-calls/voice", ["POST"])(sdk_calls.voice)
router.route("/sdk/voicemail", ["POST"])(sdk_voicemail.start)
router.route("/sdk/scheduled-calls", ["POST"])(scheduled.book)
router.route("/sdk/scheduled-calls/<booking_id>", ["DELETE"])(scheduled.cancel)
router.route(_TASKS, ["POST"])(scheduled.run_task)
router.route("/twilio/scheduled-call", ["POST"])(scheduled.answered)
router.route("/agent/transfer-targets", ["GET"])(transfer.handle_targets)
router.route("/agent/presence", ["GET"])(presence.get)
router.route("/agent/presence", ["PUT"])(presence.put)
router.route("/explain", ["GET"])(explain.handle)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
