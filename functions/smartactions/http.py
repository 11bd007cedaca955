"""Routes of the smartactions_http function: agents request SmartActions and pause
recording; end users answer them (media, uploads, fulfil, decline) and attach files; the
signed-URL fallback on the emulator serves and takes the bytes.

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
"""

from __future__ import annotations

import flask

from core.http import Router
from core.routes import BINARY

router = Router("smartactions_http")
route = router.route

route(
    "POST",
    "/agent/sessions/<session_id>/smartactions",
    "smartactions.handlers:agent_create",
    caller="portal",
    summary="Request a SmartAction",
    body="smartactions.actions:CreateRequest",
    ok=(200, 201),
    response="smartactions.responses:AgentRequestAnswer",
)
route(
    "GET",
    "/agent/sessions/<session_id>/smartactions",
    "smartactions.handlers:agent_list",
    caller="portal",
    summary="SmartAction requests of a session",
    response="smartactions.responses:AgentRequests",
)
route(
    "GET",
    "/agent/sessions/<session_id>/smartactions/<rid>",
    "smartactions.handlers:agent_get",
    caller="portal",
    summary="One SmartAction request",
    response="smartactions.responses:AgentRequestAnswer",
)
route(
    "GET",
    "/agent/sessions/<session_id>/attachments",
    "smartactions.attachments:list_for_agent",
    caller="portal",
    summary="Chat attachments of a session",
    response="smartactions.responses:Attachments",
)
route(
    "POST",
    "/agent/sessions/<session_id>/redact",
    "smartactions.redact:handle",
    caller="portal",
    summary="Pause / resume call recording",
    body="smartactions.redact:RedactBody",
    response="smartactions.responses:Redaction",
)
route(
    "GET",
    "/sdk/sessions/<session_id>/smartactions",
    "smartactions.handlers:sdk_list",
    caller="sdk",
    summary="Open SmartAction requests for the end user",
    response="smartactions.responses:EndUserRequests",
)
route(
    "POST",
    "/sdk/sessions/<session_id>/smartactions/<rid>/media",
    "smartactions.uploads:stream",
    caller="sdk",
    summary="Stream a photo / screenshot / video",
    body=BINARY,
    ok=(200, 201),
    response="smartactions.responses:EndUserRequestAnswer",
)
route(
    "POST",
    "/sdk/sessions/<session_id>/smartactions/<rid>/uploads",
    "smartactions.uploads:issue",
    caller="sdk",
    summary="Get a signed upload URL",
    body="smartactions.uploads:UploadTicket",
    ok=(201,),
    response="smartactions.responses:UploadTicketAnswer",
)
route(
    "POST",
    "/sdk/sessions/<session_id>/smartactions/<rid>/uploads/verify",
    "smartactions.uploads:verify",
    caller="sdk",
    summary="Check an object uploaded by signed URL",
    body="smartactions.uploads:VerifyUpload",
    ok=(200, 201),
    response="smartactions.responses:EndUserRequestAnswer",
)
route(
    "POST",
    "/sdk/sessions/<session_id>/smartactions/<rid>/fulfil",
    "smartactions.handlers:sdk_fulfil",
    caller="sdk",
    summary="Answer a verification / text request",
    body="smartactions.actions:Fulfil",
    response="smartactions.responses:EndUserRequestAnswer",
)
route(
    "POST",
    "/sdk/sessions/<session_id>/smartactions/<rid>/decline",
    "smartactions.handlers:sdk_decline",
    caller="sdk",
    summary="Decline a request",
    body="smartactions.actions:Decline",
    response="smartactions.responses:EndUserRequestAnswer",
)
route(
    "POST",
    "/sdk/sessions/<session_id>/attachments",
    "smartactions.attachments:upload",
    caller="sdk",
    summary="Web chat attachment (.png, .jpg, .mp4 by content)",
    body=BINARY,
    query="smartactions.attachments:AttachmentQuery",
    ok=(201,),
    response="smartactions.responses:AttachmentAnswer",
)
route(
    "GET",
    "/media/<token>",
    "smartactions.url_endpoints:download",
    caller="signed_url",
    summary="Media bytes (signed URL fallback)",
    produces="application/octet-stream",
)
route(
    "PUT",
    "/uploads/<token>",
    "smartactions.url_endpoints:upload",
    caller="signed_url",
    summary="Upload bytes (signed URL fallback)",
    body=BINARY,
    ok=(200, 201),
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
