"""Routes of the notifications_http function: notification settings (center and queue),
ringtones and whisper clips, the agent's announcement / alert / answer, the carrier's
announcement TwiML and signed preview bytes.

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
"""

from __future__ import annotations

import flask

from core.http import Router
from core.routes import BINARY, FORM, TWIML

router = Router("notifications_http")
route = router.route
CENTER = "core.config.schema.notifications:CenterNotifications"
QUEUE = "core.config.schema.notifications:QueueNotifications"
IF_MATCH = ("If-Match",)

route(
    "GET",
    "/notifications/settings",
    "notifications.settings_api:get_settings",
    caller="portal",
    summary="Global notification settings",
    response="notifications.responses:SettingsAnswer",
)
route(
    "PUT",
    "/notifications/settings",
    "notifications.settings_api:update",
    caller="portal",
    summary="Replace global settings",
    body=CENTER,
    headers=IF_MATCH,
    response="notifications.responses:SettingsAnswer",
)
route(
    "PATCH",
    "/notifications/settings",
    "notifications.settings_api:update",
    caller="portal",
    summary="Merge-patch global settings",
    body=CENTER,
    headers=IF_MATCH,
    response="notifications.responses:SettingsAnswer",
)
route(
    "GET",
    "/notifications/queues/<qid>/settings",
    "notifications.settings_api:get_settings",
    caller="portal",
    summary="Queue settings",
    response="notifications.responses:SettingsAnswer",
)
route(
    "PUT",
    "/notifications/queues/<qid>/settings",
    "notifications.settings_api:update",
    caller="portal",
    summary="Replace a queue's settings",
    body=QUEUE,
    headers=IF_MATCH,
    response="notifications.responses:SettingsAnswer",
)
route(
    "PATCH",
    "/notifications/queues/<qid>/settings",
    "notifications.settings_api:update",
    caller="portal",
    summary="Merge-patch a queue's settings",
    body=QUEUE,
    headers=IF_MATCH,
    response="notifications.responses:SettingsAnswer",
)

# Ringtones and whisper clips: the same six routes each.
for prefix, kind, what in (
    ("/notifications/tones", "tone", "ringtone"),
    ("/notifications/whisper-clips", "whisper", "whisper clip"),
):
    args = {"kind": kind}
    route(
        "GET",
        prefix,
        "notifications.tones_api:list_all",
        caller="portal",
        summary=f"List {what}s",
        args=args,
        response="notifications.responses:ClipList",
    )
    route(
        "POST",
        prefix,
        "notifications.tones_api:upload",
        caller="portal",
        summary=f"Upload a {what} (.mp3, checked by content)",
        body=BINARY,
        params=("name",),
        ok=(201,),
        args=args,
        response="notifications.responses:ClipAnswer",
    )
    route(
        "GET",
        f"{prefix}/<clip_id>",
        "notifications.tones_api:show",
        caller="portal",
        summary=f"One {what}",
        args=args,
        response="notifications.responses:ClipAnswer",
    )
    route(
        "PUT",
        f"{prefix}/<clip_id>",
        "notifications.tones_api:replace",
        caller="portal",
        summary=f"Replace a {what}",
        body=BINARY,
        params=("name",),
        args=args,
        response="notifications.responses:ClipAnswer",
    )
    route(
        "DELETE",
        f"{prefix}/<clip_id>",
        "notifications.tones_api:delete",
        caller="portal",
        summary=f"Delete a {what}",
        args=args,
        response="notifications.responses:Deleted",
    )
    route(
        "GET",
        f"{prefix}/<clip_id>/preview",
        "notifications.tones_api:preview",
        caller="portal",
        summary=f"Short-lived playable URL of a {what}",
        args=args,
        response="notifications.responses:ClipPreview",
    )

route(
    "GET",
    "/agent/sessions/<session_id>/announcement",
    "notifications.agent_api:get_for_agent",
    caller="portal",
    summary="Whisper / countdown / tone for the agent's session",
    params=("format",),
    response="notifications.responses:AnnouncementAnswer",
)
route(
    "GET",
    "/agent/sessions/<session_id>/alert",
    "notifications.agent_api:get_alert",
    caller="portal",
    summary="Ring now, wait or stop: the server-decided alert of the assigned agent",
    response="notifications.responses:AlertAnswer",
)
route(
    "POST",
    "/agent/sessions/<session_id>/answer",
    "notifications.agent_api:answer",
    caller="portal",
    summary="The assigned agent answered (repeating alerts stop)",
    response="notifications.responses:Answered",
)
route(
    "POST",
    "/twilio/agent-announcement/<session_id>",
    "notifications.agent_api:twiml_for_carrier",
    caller="twilio",
    summary="Announcement TwiML for the carrier",
    body=FORM,
    produces=TWIML,
)
route(
    "GET",
    "/media/<path:obj>",
    "notifications.media_links:serve",
    caller="signed_url",
    summary="Preview bytes (signed URL)",
    params=("exp", "sig"),
    produces="audio/mpeg",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
