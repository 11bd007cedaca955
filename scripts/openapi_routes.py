"""Every HTTP route of every function, as the OpenAPI description states it.

`scripts/openapi_check.py` turns this table (plus the pydantic models it names) into
`docs/openapi/<function>.yaml`; tests/hostile/test_openapi.py fails when a Router has a
route this table lacks, or the reverse, or when the committed YAML is stale.

body:  "pkg.module:Model" (JSON validated by that model), "form" (carrier webhook,
       application/x-www-form-urlencoded), "binary" (raw bytes), "json" (free JSON object),
       "notifications" (JSON merge patch / document of notification settings), None.
auth:  a key of AUTH (the caller type; see core/auth and the capability modules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Caller types -> OpenAPI security scheme (None: the URL itself carries the authorization,
# or the route is public).
AUTH: dict[str, dict[str, str] | None] = {
    "twilio": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Twilio-Signature",
        "description": "HMAC-SHA1 (base64) of the configured public URL plus the "
        "sorted form parameters, keyed with the Twilio auth token.",
    },
    "sdk": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "End-user JWT (HS256, company secret; claims iat, exp, identifier) "
        "or a visitor token issued by POST /sdk/visitors.",
    },
    "apps": {
        "type": "http",
        "scheme": "basic",
        "description": "Apps API: username = company subdomain, password = API token.",
    },
    "portal": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Identity Platform ID token of a person, or a Google service-account "
        "ID token (audience: this function's URL) of automation (docs/signin.md); the verified "
        "email names a config user, whose roles, permissions and teams come from the applied "
        "config.",
    },
    "cx": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Webhook-Secret",
        "description": "Shared secret configured on the Dialogflow CX webhook.",
    },
    "crm_key": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CRM-Key",
        "description": "A key from RECORDINGS_CRM_KEYS (the CRM reading recordings), always "
        "with its second factor: X-CRM-TOTP (RFC 6238 code of the key's enrolled secret, "
        "usable once) on POST /recordings/session, and the session it returns in "
        "X-CRM-Session on GET /recordings/{sid}/url.",
    },
    "task": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Recording-Task-Signature",
        "description": "HMAC-SHA256 of the task body (Cloud Tasks calls only).",
    },
    "viewer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Chat viewer token from POST /chats/{session_id}/view.",
    },
    "signed_url": None,  # exp + sig query parameters, or a signed token in the path
    "public": None,
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the werkzeug rule, e.g. /calls/<session_id>
    auth: str
    summary: str
    body: str | None = None
    query: str | None = None  # "pkg.module:Model" whose fields are the query parameters
    params: tuple[str, ...] = ()  # further optional string query parameters
    ok: tuple[int, ...] = (200,)
    produces: str = "application/json"
    headers: tuple[str, ...] = field(default=())  # optional request headers
    limited: str | None = None  # what a 429 (with Retry-After) counts, if the route has one

    @property
    def json_api(self) -> bool:
        """A JSON route (what schemathesis fuzzes): JSON in (or nothing) and JSON out."""
        return self.produces == "application/json" and self.body not in ("form", "binary")


TWIML = "text/xml"
POLL = ("If-None-Match",)  # lists the console polls every second
IVR_Q = ("queue", "language", "at")

ROUTES: dict[str, tuple[Route, ...]] = {
    "sessions_http": (
        Route(
            "POST",
            "/twilio/call-status",
            "twilio",
            "Carrier call-status callback",
            body="form",
            ok=(200, 204),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/sdk/chats",
            "sdk",
            "Start a chat session",
            body="sessions.chats:StartChat",
            ok=(201,),
            limited="anonymous starts per client address and per visitor, a minute",
        ),
        Route(
            "POST",
            "/sdk/chats/<session_id>/messages",
            "sdk",
            "End user posts a message",
            body="sessions.chats:PostMessage",
            ok=(201,),
        ),
        Route("POST", "/sdk/chats/<session_id>/end", "sdk", "End user ends the chat"),
        Route(
            "POST",
            "/agent/chats/<session_id>/messages",
            "portal",
            "Assigned agent posts a message",
            body="sessions.chats:PostMessage",
            ok=(201,),
        ),
        Route(
            "POST",
            "/agent/sessions/<session_id>/assign",
            "portal",
            "Connect a queued session to an agent (sessions.assign: routing, admins)",
            body="sessions.chats:Assign",
        ),
        Route(
            "POST",
            "/agent/sessions/<session_id>/transfer",
            "portal",
            "Record a transfer routing carried out: to another queue or another agent "
            "(sessions.assign)",
            body="sessions.transfer:Transfer",
        ),
    ),
    "deflection_http": (
        Route(
            "POST",
            "/twilio/voice",
            "twilio",
            "IVR: incoming call (TwiML)",
            body="form",
            params=(*IVR_Q, "callback"),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/twilio/voicemail/number",
            "twilio",
            "IVR: callback number gathered for voicemail",
            body="form",
            params=(*IVR_Q, "attempt"),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/twilio/voicemail/done",
            "twilio",
            "IVR: voicemail recorded",
            body="form",
            produces=TWIML,
        ),
        Route(
            "POST",
            "/twilio/voicemail/recording",
            "twilio",
            "Voicemail recording-status callback",
            body="form",
            params=(*IVR_Q, "callback"),
            ok=(200, 204),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/twilio/voicemail/start",
            "twilio",
            "Mobile callback message: the customer answered (TwiML greeting + record)",
            body="form",
            params=(*IVR_Q, "callback"),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/twilio/scheduled-call",
            "twilio",
            "Scheduled callback answered: into the queue (TwiML)",
            body="form",
            params=("queue", "language", "booking"),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/twilio/sms",
            "twilio",
            "Incoming SMS (TwiML)",
            body="form",
            params=IVR_Q,
            produces=TWIML,
        ),
        Route(
            "POST",
            "/sdk/deflection",
            "sdk",
            "Mobile / web SDK after-hours decision",
            body="deflection.sdk:SdkDeflectionRequest",
            params=("at",),
        ),
        Route(
            "POST",
            "/sdk/chat/deflection",
            "sdk",
            "Chat after-hours decision",
            body="deflection.sdk:ChatDeflectionRequest",
            params=("at",),
        ),
        Route(
            "POST",
            "/sdk/calls",
            "sdk",
            "Mobile SDK call: after-hours decision, queued session, params for the Voice SDK",
            body="deflection.sdk_calls:StartCall",
            params=("at",),
            ok=(201,),
            limited="anonymous starts per client address and per visitor, a minute",
        ),
        Route(
            "POST",
            "/twilio/sdk-calls/voice",
            "twilio",
            "Mobile SDK call: the carrier leg (TwiML App Voice URL), tied and enqueued",
            body="form",
            produces=TWIML,
        ),
        Route(
            "POST",
            "/sdk/voicemail",
            "sdk",
            "Mobile 'Leave a callback message': the carrier calls the customer for the queue",
            body="deflection.sdk_voicemail:VoicemailRequest",
            params=("at",),
            limited="anonymous starts per client address and per visitor, a minute",
        ),
        Route(
            "POST",
            "/sdk/scheduled-calls",
            "sdk",
            "Book a scheduled-call slot (Idempotency-Key; per-slot capacity)",
            body="deflection.scheduled:BookRequest",
            params=("at",),
            ok=(200, 201),
            limited="anonymous starts per client address and per visitor, a minute",
        ),
        Route(
            "DELETE",
            "/sdk/scheduled-calls/<booking_id>",
            "sdk",
            "Cancel one's own scheduled call",
        ),
        Route(
            "POST",
            "/tasks/scheduled-call",
            "task",
            "Scheduled callback at the slot time (Cloud Tasks)",
            body="deflection.scheduled:TaskBody",
        ),
        Route(
            "GET",
            "/agent/transfer-targets",
            "portal",
            "Queues an agent may transfer to",
            query="deflection.transfer:TargetsQuery",
        ),
        Route("GET", "/agent/presence", "portal", "The caller's presence"),
        Route(
            "PUT",
            "/agent/presence",
            "portal",
            "Log in / out for contacts",
            body="deflection.presence:PresenceBody",
        ),
        Route(
            "GET",
            "/explain",
            "portal",
            "What would happen, and the rule behind it",
            query="deflection.explain:ExplainQuery",
        ),
    ),
    "recordings_http": (
        Route(
            "POST",
            "/twilio/recording-status",
            "twilio",
            "Carrier recording-status callback",
            body="form",
            ok=(200, 204),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/tasks/deliver",
            "task",
            "Delivery worker (Cloud Tasks)",
            body="recordings.http:TaskBody",
        ),
        Route(
            "POST",
            "/recordings/session",
            "crm_key",
            "MFA handshake: CRM key + one-time TOTP code -> a short-lived session",
            headers=("X-CRM-TOTP",),
        ),
        Route(
            "GET",
            "/recordings/<sid>/url",
            "crm_key",
            "Short-lived URL of a recording (CRM key + MFA session)",
            headers=("X-CRM-Session",),
        ),
        Route(
            "GET",
            "/recordings/<sid>/media",
            "signed_url",
            "Recording bytes (signed URL)",
            params=("exp", "sig"),
            produces="audio/x-wav",
        ),
    ),
    "monitoring_http": (
        Route(
            "GET",
            "/calls",
            "portal",
            "Live calls (ETag; 304 when unchanged since If-None-Match)",
            query="monitoring.listing:ListQuery",
            headers=POLL,
            ok=(200, 304),
        ),
        Route(
            "GET",
            "/chats",
            "portal",
            "Live chats (ETag; 304 when unchanged since If-None-Match)",
            query="monitoring.listing:ListQuery",
            headers=POLL,
            ok=(200, 304),
        ),
        Route("GET", "/calls/<session_id>", "portal", "Call details"),
        Route("GET", "/chats/<session_id>", "portal", "Chat details"),
        Route(
            "POST",
            "/calls/<session_id>/monitor",
            "portal",
            "Start monitoring (listen, coach or barge) on your own softphone or profile phone",
            body="monitoring.bodies:StartMonitor",
            ok=(200, 201),
        ),
        Route(
            "POST",
            "/calls/<session_id>/monitor/stop",
            "portal",
            "Stop monitoring",
            body="monitoring.bodies:Reason",
        ),
        Route(
            "POST",
            "/calls/<session_id>/monitor/mode",
            "portal",
            "Switch your monitoring leg between listen, coach and barge (no re-dial)",
            body="monitoring.bodies:MonitorMode",
        ),
        Route(
            "GET",
            "/agents",
            "portal",
            "The Agents page: presence and current session (ETag, If-None-Match)",
            query="monitoring.agents:AgentsQuery",
            headers=POLL,
            ok=(200, 304),
        ),
        Route(
            "POST",
            "/agents/<agent_id>/monitor",
            "portal",
            "Monitor an agent's current call",
            body="monitoring.bodies:StartMonitor",
            ok=(200, 201),
        ),
        Route(
            "POST",
            "/chats/<session_id>/view",
            "portal",
            "Start a read-only chat view",
            body="monitoring.bodies:Reason",
            ok=(200, 201),
        ),
        Route(
            "POST",
            "/chats/<session_id>/view/stop",
            "portal",
            "Stop viewing a chat",
            body="monitoring.bodies:Reason",
        ),
        Route(
            "GET",
            "/chats/<session_id>/transcript",
            "viewer",
            "Chat messages after a cursor",
            query="monitoring.chat_view:TranscriptQuery",
        ),
        Route(
            "POST",
            "/calls/<session_id>/end",
            "portal",
            "End a call",
            body="monitoring.bodies:EndSession",
        ),
        Route(
            "POST",
            "/chats/<session_id>/end",
            "portal",
            "End a chat",
            body="monitoring.bodies:EndSession",
        ),
        Route(
            "GET",
            "/audit",
            "portal",
            "The audit log (ETag; 304 when unchanged since If-None-Match)",
            query="monitoring.audit:AuditQuery",
            headers=POLL,
            ok=(200, 304),
        ),
        Route("GET", "/me", "portal", "The caller's roles, permissions, teams and queues"),
    ),
    "console_http": (
        Route("GET", "/", "public", "The web console's page", produces="text/html"),
        Route("GET", "/index.html", "public", "The web console's page", produces="text/html"),
        Route("GET", "/config.json", "public", "Public config of the console (Firebase, URLs)"),
        Route(
            "GET",
            "/assets/<path:name>",
            "public",
            "Hashed build assets of the console (immutable)",
            produces="application/octet-stream",
        ),
    ),
    "attributes_http": (
        Route(
            "GET",
            "/apps/api/v1/<collection>/<session_id>/customer_flag",
            "apps",
            "Read the customer flags of a call or chat",
            limited="Apps API calls per customer, a second",
        ),
        Route(
            "PATCH",
            "/apps/api/v1/<collection>/<session_id>/customer_flag",
            "apps",
            "Set customer flags on a call or chat",
            body="attributes.apps_api:CustomerFlagPatch",
            headers=("Idempotency-Key",),
            limited="Apps API calls per customer, a second",
        ),
        Route(
            "POST",
            "/twilio/sip/inbound",
            "twilio",
            "SIP call in: attributes from headers",
            body="form",
            params=("queue_id", "next"),
            produces=TWIML,
        ),
        Route(
            "POST",
            "/twilio/sip/redirect",
            "twilio",
            "SIP redirect with data parameters",
            body="form",
            produces=TWIML,
        ),
        Route(
            "POST",
            "/dialogflow/cx/webhook",
            "cx",
            "Virtual agent webhook",
            body="attributes.virtual_agent:WebhookRequest",
        ),
        Route(
            "POST",
            "/sdk/visitors",
            "public",
            "Register an anonymous visitor",
            body="attributes.visitors:Register",
            ok=(200, 201),
            limited="new visitor ids per client address, a minute",
        ),
        Route(
            "POST",
            "/sdk/visitors/merge",
            "sdk",
            "Merge a visitor into the signed-in user",
            body="attributes.visitors:Merge",
        ),
        Route(
            "POST",
            "/sdk/sessions/<session_id>/custom_data",
            "sdk",
            "Reserved attributes (signed custom data) during a call or chat",
            body="attributes.sdk_session_data:SessionCustomData",
        ),
    ),
    "notifications_http": (
        Route("GET", "/notifications/settings", "portal", "Global notification settings"),
        Route(
            "PUT",
            "/notifications/settings",
            "portal",
            "Replace global settings",
            body="notifications:center",
            headers=("If-Match",),
        ),
        Route(
            "PATCH",
            "/notifications/settings",
            "portal",
            "Merge-patch global settings",
            body="notifications:center",
            headers=("If-Match",),
        ),
        Route("GET", "/notifications/queues/<qid>/settings", "portal", "Queue settings"),
        Route(
            "PUT",
            "/notifications/queues/<qid>/settings",
            "portal",
            "Replace a queue's settings",
            body="notifications:queue",
            headers=("If-Match",),
        ),
        Route(
            "PATCH",
            "/notifications/queues/<qid>/settings",
            "portal",
            "Merge-patch a queue's settings",
            body="notifications:queue",
            headers=("If-Match",),
        ),
        *(
            r
            for prefix, what in (
                ("/notifications/tones", "ringtone"),
                ("/notifications/whisper-clips", "whisper clip"),
            )
            for r in (
                Route("GET", prefix, "portal", f"List {what}s"),
                Route(
                    "POST",
                    prefix,
                    "portal",
                    f"Upload a {what} (.mp3, checked by content)",
                    body="binary",
                    params=("name",),
                    ok=(201,),
                ),
                Route("GET", f"{prefix}/<clip_id>", "portal", f"One {what}"),
                Route(
                    "PUT",
                    f"{prefix}/<clip_id>",
                    "portal",
                    f"Replace a {what}",
                    body="binary",
                    params=("name",),
                ),
                Route("DELETE", f"{prefix}/<clip_id>", "portal", f"Delete a {what}"),
                Route(
                    "GET",
                    f"{prefix}/<clip_id>/preview",
                    "portal",
                    f"Short-lived playable URL of a {what}",
                ),
            )
        ),
        Route(
            "GET",
            "/agent/sessions/<session_id>/announcement",
            "portal",
            "Whisper / countdown / tone for the agent's session",
            params=("format",),
        ),
        Route(
            "GET",
            "/agent/sessions/<session_id>/alert",
            "portal",
            "Ring now, wait or stop: the server-decided alert of the assigned agent",
        ),
        Route(
            "POST",
            "/agent/sessions/<session_id>/answer",
            "portal",
            "The assigned agent answered (repeating alerts stop)",
        ),
        Route(
            "POST",
            "/twilio/agent-announcement/<session_id>",
            "twilio",
            "Announcement TwiML for the carrier",
            body="form",
            produces=TWIML,
        ),
        Route(
            "GET",
            "/media/<path:obj>",
            "signed_url",
            "Preview bytes (signed URL)",
            params=("exp", "sig"),
            produces="audio/mpeg",
        ),
    ),
    "smartactions_http": (
        Route(
            "POST",
            "/agent/sessions/<session_id>/smartactions",
            "portal",
            "Request a SmartAction",
            body="smartactions.actions:CreateRequest",
            ok=(200, 201),
        ),
        Route(
            "GET",
            "/agent/sessions/<session_id>/smartactions",
            "portal",
            "SmartAction requests of a session",
        ),
        Route(
            "GET",
            "/agent/sessions/<session_id>/smartactions/<rid>",
            "portal",
            "One SmartAction request",
        ),
        Route(
            "GET",
            "/agent/sessions/<session_id>/attachments",
            "portal",
            "Chat attachments of a session",
        ),
        Route(
            "POST",
            "/agent/sessions/<session_id>/redact",
            "portal",
            "Pause / resume call recording",
            body="smartactions.redact:RedactBody",
        ),
        Route(
            "GET",
            "/sdk/sessions/<session_id>/smartactions",
            "sdk",
            "Open SmartAction requests for the end user",
        ),
        Route(
            "POST",
            "/sdk/sessions/<session_id>/smartactions/<rid>/media",
            "sdk",
            "Stream a photo / screenshot / video",
            body="binary",
            ok=(200, 201),
        ),
        Route(
            "POST",
            "/sdk/sessions/<session_id>/smartactions/<rid>/uploads",
            "sdk",
            "Get a signed upload URL",
            body="smartactions.uploads:UploadTicket",
            ok=(201,),
        ),
        Route(
            "POST",
            "/sdk/sessions/<session_id>/smartactions/<rid>/uploads/verify",
            "sdk",
            "Check an object uploaded by signed URL",
            body="smartactions.uploads:VerifyUpload",
            ok=(200, 201),
        ),
        Route(
            "POST",
            "/sdk/sessions/<session_id>/smartactions/<rid>/fulfil",
            "sdk",
            "Answer a verification / text request",
            body="smartactions.actions:Fulfil",
        ),
        Route(
            "POST",
            "/sdk/sessions/<session_id>/smartactions/<rid>/decline",
            "sdk",
            "Decline a request",
            body="smartactions.actions:Decline",
        ),
        Route(
            "POST",
            "/sdk/sessions/<session_id>/attachments",
            "sdk",
            "Web chat attachment (.png, .jpg, .mp4 by content)",
            body="binary",
            query="smartactions.attachments:AttachmentQuery",
            ok=(201,),
        ),
        Route(
            "GET",
            "/media/<token>",
            "signed_url",
            "Media bytes (signed URL fallback)",
            produces="application/octet-stream",
        ),
        Route(
            "PUT",
            "/uploads/<token>",
            "signed_url",
            "Upload bytes (signed URL fallback)",
            body="binary",
            ok=(200, 201),
        ),
    ),
}


# -- settings_http: one resource per part of the config file ------------------------------
IF_MATCH = ("If-Match",)
_SINGLE = (
    ("/settings/center", "support center details", "settings.resources:CenterDetails"),
    ("/settings/center/hours", "center hours selection", "core.config.schema.hours:HoursSelection"),
    (
        "/settings/deflection",
        "deflection per channel",
        "core.config.schema.deflection:CenterDeflection",
    ),
)
_NAMED = (
    ("/settings/hours", "named schedule", "core.config.schema.hours:HoursSpec"),
    (
        "/settings/languages",
        "language and its messages",
        "core.config.schema.messages:LanguageConfig",
    ),
    ("/settings/teams", "team", "core.config.schema.people:Team"),
    ("/settings/users", "user", "core.config.schema.people:User"),
    ("/settings/roles", "custom role", "core.config.schema.people:Role"),
)


def _writes(path: str, what: str, model: str, delete: bool, create: bool) -> tuple[Route, ...]:
    out = (
        Route(
            "PUT",
            path,
            "portal",
            f"Replace the {what}" + (" (or create it)" if create else ""),
            body=model,
            headers=IF_MATCH,
            ok=(200, 201) if create else (200,),
        ),
        Route(
            "PATCH",
            path,
            "portal",
            f"Merge-patch the {what} (RFC 7386)",
            body="json",
            headers=IF_MATCH,
        ),
    )
    if delete:
        out += (Route("DELETE", path, "portal", f"Delete the {what}", headers=IF_MATCH, ok=(204,)),)
    return out


SETTINGS_ROUTES: tuple[Route, ...] = (
    *(
        r
        for path, what, model in _SINGLE
        for r in (
            Route("GET", path, "portal", f"The {what} and its ETag"),
            *_writes(path, what, model, delete=False, create=False),
        )
    ),
    *(
        r
        for path, what, model in _NAMED
        for r in (
            Route("GET", path, "portal", f"Every {what}"),
            Route("GET", f"{path}/<key>", "portal", f"One {what} and its ETag"),
            *_writes(f"{path}/<key>", what, model, delete=True, create=True),
        )
    ),
    Route("GET", "/settings/queues", "portal", "The queue tree (the caller's queues)"),
    Route(
        "POST",
        "/settings/queues",
        "portal",
        "Create a queue (top level, or under a parent)",
        body="settings.resources:NewQueue",
        ok=(201,),
    ),
    Route("GET", "/settings/queues/<qid>", "portal", "A queue's own settings and its ETag"),
    *_writes(
        "/settings/queues/<qid>",
        "queue's own settings",
        "settings.resources:QueueSettings",
        delete=True,
        create=False,
    ),
    Route(
        "POST",
        "/settings/queues/<qid>/move",
        "portal",
        "Move a queue and its sub-queues in the tree (If-Match: the queue's ETag)",
        body="settings.api:QueueMove",
        headers=IF_MATCH,
    ),
    Route(
        "POST",
        "/settings/languages/<key>/preview",
        "portal",
        "Hear a message: text-to-speech of a saved message or of any text (WAV)",
        body="settings.messages:MessagePreview",
        produces="audio/wav",
    ),
    Route(
        "POST",
        "/settings/audio",
        "portal",
        "Upload message audio (.mp3, checked by content); reference it as {audio: name}",
        body="binary",
        ok=(201,),
    ),
    Route(
        "POST",
        "/settings/preview",
        "portal",
        "Every after-hours decision a proposed change would alter in the next 14 days",
        body="settings.preview:ChangePreview",
    ),
    Route(
        "GET",
        "/settings/audit",
        "portal",
        "Settings changes, newest first: who, when, resource, diff before -> after",
        query="settings.audit:AuditQuery",
    ),
    Route(
        "GET",
        "/settings/export",
        "portal",
        "The whole config in the file format (YAML); ETag = config version",
        produces="application/yaml",
    ),
    Route(
        "POST",
        "/settings/import",
        "portal",
        "Apply a whole config file (If-Match: the config version it was exported from)",
        body="binary",
        params=("dry_run",),
        headers=IF_MATCH,
    ),
)
ROUTES["settings_http"] = SETTINGS_ROUTES


def router_routes(function: str) -> list[tuple[str, str]]:
    """(method, rule) pairs the function's Router really serves."""
    return _router(function).routes()


def _router(function: str) -> Any:
    import importlib

    from core.manifest import manifest

    return importlib.import_module(manifest().function(function).module).router


_NOTIFICATIONS = {
    "notifications:center": "core.config.schema.notifications:CenterNotifications",
    "notifications:queue": "core.config.schema.notifications:QueueNotifications",
}


def declared(function: str) -> list[Any]:
    """Every route of a function as its Router declares it (TRANSITION: routes of a
    Router still in the old style come from ROUTES)."""
    from core import routes as core_routes

    out = list(_router(function).declared())
    have = {(r.method, r.path) for r in out}
    for r in ROUTES.get(function, ()):
        if (r.method, r.path) in have:
            continue
        body = {"json": core_routes.MERGE_PATCH}.get(r.body or "", r.body)
        body = _NOTIFICATIONS.get(body or "", body)
        out.append(
            core_routes.Route(
                r.method,
                r.path,
                "legacy:handler",
                r.auth,
                r.summary,
                body=body,
                query=r.query,
                params=r.params,
                headers=r.headers,
                ok=r.ok,
                produces=r.produces,
                limited=r.limited,
            )
        )
    order = {rp: i for i, rp in enumerate(router_routes(function))}
    return sorted(out, key=lambda r: order.get((r.method, r.path), len(order)))


def http_functions() -> list[str]:
    from core.manifest import manifest

    return [fn.name for fn in manifest().http]
