"""Routes of the notifications_http function."""

from __future__ import annotations

import flask

from core.http import Router, lazy_modules

agent_api, media_links, settings_api, tones_api = lazy_modules(
    "notifications", "agent_api", "media_links", "settings_api", "tones_api"
)

router = Router("notifications_http")
r = router.route

r("/notifications/settings", ["GET"])(lambda request: settings_api.get_settings(request))
r("/notifications/settings", ["PUT", "PATCH"])(lambda request: settings_api.update(request))
r("/notifications/queues/<qid>/settings", ["GET"])(
    lambda request, qid: settings_api.get_settings(request, qid)
)
r("/notifications/queues/<qid>/settings", ["PUT", "PATCH"])(
    lambda request, qid: settings_api.update(request, qid)
)

for _prefix, _kind in (
    ("/notifications/tones", "tone"),
    ("/notifications/whisper-clips", "whisper"),
):
    r(_prefix, ["GET"])(lambda request, k=_kind: tones_api.list_all(request, k))
    r(_prefix, ["POST"])(lambda request, k=_kind: tones_api.upload(request, k))
    r(f"{_prefix}/<clip_id>", ["GET"])(
        lambda request, clip_id, k=_kind: tones_api.show(request, k, clip_id)
    )
    r(f"{_prefix}/<clip_id>", ["PUT"])(
        lambda request, clip_id, k=_kind: tones_api.replace(request, k, clip_id)
    )
    r(f"{_prefix}/<clip_id>", ["DELETE"])(
        lambda request, clip_id, k=_kind: tones_api.delete(request, k, clip_id)
    )
    r(f"{_prefix}/<clip_id>/preview", ["GET"])(
        lambda request, clip_id, k=_kind: tones_api.preview(request, k, clip_id)
    )

r("/agent/sessions/<session_id>/announcement", ["GET"])(
    lambda request, session_id: agent_api.get_for_agent(request, session_id)
)
r("/agent/sessions/<session_id>/alert", ["GET"])(
    lambda request, session_id: agent_api.get_alert(request, session_id)
)
r("/agent/sessions/<session_id>/answer", ["POST"])(
    lambda request, session_id: agent_api.answer(request, session_id)
)
r("/twilio/agent-announcement/<session_id>", ["POST"])(
    lambda request, session_id: agent_api.twiml_for_carrier(request, session_id)
)
r("/media/<path:obj>", ["GET"])(lambda request, obj: media_links.serve(request, obj))


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
