"""Routes of the smartactions_http function."""

from __future__ import annotations

import flask

from core.http import Router, lazy_modules

attachments, handlers, redact, uploads, url_endpoints = lazy_modules(
    "smartactions", "attachments", "handlers", "redact", "uploads", "url_endpoints"
)

router = Router("smartactions_http")
_R = "/sessions/<session_id>/smartactions"

# Agent (portal user token).
router.route(f"/agent{_R}", ["POST"])(handlers.agent_create)
router.route(f"/agent{_R}", ["GET"])(handlers.agent_list)
router.route(f"/agent{_R}/<rid>", ["GET"])(handlers.agent_get)
router.route("/agent/sessions/<session_id>/attachments", ["GET"])(attachments.list_for_agent)
router.route("/agent/sessions/<session_id>/redact", ["POST"])(redact.handle)

# End user (SDK JWT).
router.route(f"/sdk{_R}", ["GET"])(handlers.sdk_list)
router.route(f"/sdk{_R}/<rid>/media", ["POST"])(uploads.stream)
router.route(f"/sdk{_R}/<rid>/uploads", ["POST"])(uploads.issue)
router.route(f"/sdk{_R}/<rid>/uploads/verify", ["POST"])(uploads.verify)
router.route(f"/sdk{_R}/<rid>/fulfil", ["POST"])(handlers.sdk_fulfil)
router.route(f"/sdk{_R}/<rid>/decline", ["POST"])(handlers.sdk_decline)
router.route("/sdk/sessions/<session_id>/attachments", ["POST"])(attachments.upload)

# Signed-URL fallback on the emulator (the token is the authorization).
router.route("/media/<token>", ["GET"])(url_endpoints.download)
router.route("/uploads/<token>", ["PUT"])(url_endpoints.upload)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
