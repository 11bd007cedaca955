"""Routes of the settings_http function: the Settings API, one resource per part of the
config file (docs/openapi/settings_http.yaml), export / import, preview and audit.

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
"""

from __future__ import annotations

import flask

from core.http import Router
from core.routes import BINARY, MERGE_PATCH
from settings.resources import (
    CENTER,
    CENTER_HOURS,
    DEFLECTION,
    HOURS,
    LANGUAGES,
    QUEUES,
    ROLES,
    TEAMS,
    USERS,
    Kind,
)

router = Router("settings_http")
route = router.route
IF_MATCH = ("If-Match",)
RESOURCE = "settings.responses:Resource"


def _writes(path: str, handler: str, kind: Kind, what: str, *, named: bool) -> None:
    """PUT, PATCH (and DELETE for a named entry) of one resource."""
    args = {} if kind is QUEUES else {"kind": kind}
    create = named and kind is not QUEUES
    route(
        "PUT",
        path,
        handler,
        caller="portal",
        summary=f"Replace the {what}" + (" (or create it)" if create else ""),
        body=kind.model_ref,
        headers=IF_MATCH,
        ok=(200, 201) if create else (200,),
        response=RESOURCE,
        args=args,
    )
    route(
        "PATCH",
        path,
        handler,
        caller="portal",
        summary=f"Merge-patch the {what} (RFC 7386)",
        body=MERGE_PATCH,
        headers=IF_MATCH,
        response=RESOURCE,
        args=args,
    )
    if named:
        route(
            "DELETE",
            path,
            handler,
            caller="portal",
            summary=f"Delete the {what}",
            headers=IF_MATCH,
            ok=(204,),
            args=args,
        )


# Center-wide sections: one document each.
SECTIONS: tuple[tuple[Kind, str], ...] = (
    (CENTER, "support center details"),
    (CENTER_HOURS, "center hours selection"),
    (DEFLECTION, "deflection per channel"),
)
for kind, what in SECTIONS:
    path = f"/settings/{kind.name}"
    route(
        "GET",
        path,
        "settings.api:center_get",
        caller="portal",
        summary=f"The {what} and its ETag",
        args={"kind": kind},
        response=RESOURCE,
    )
    _writes(path, "settings.api:center_write", kind, what, named=False)

# Named entries of the config: a list, and one entry by its key.
NAMED: tuple[tuple[Kind, str], ...] = (
    (HOURS, "named schedule"),
    (LANGUAGES, "language and its messages"),
    (TEAMS, "team"),
    (USERS, "user"),
    (ROLES, "custom role"),
)
for kind, what in NAMED:
    path = f"/settings/{kind.name}"
    route(
        "GET",
        path,
        "settings.api:center_list",
        caller="portal",
        summary=f"Every {what}",
        args={"kind": kind},
        response="settings.responses:Resources",
    )
    route(
        "GET",
        f"{path}/<key>",
        "settings.api:center_get",
        caller="portal",
        summary=f"One {what} and its ETag",
        args={"kind": kind},
        response=RESOURCE,
    )
    _writes(f"{path}/<key>", "settings.api:center_write", kind, what, named=True)

route(
    "GET",
    "/settings/queues",
    "settings.api:queue_list",
    caller="portal",
    summary="The queue tree (the caller's queues)",
    response="settings.responses:QueueTree",
)
route(
    "POST",
    "/settings/queues",
    "settings.api:queue_create",
    caller="portal",
    summary="Create a queue (top level, or under a parent)",
    body="settings.models:NewQueue",
    ok=(201,),
    response=RESOURCE,
)
route(
    "GET",
    "/settings/queues/<qid>",
    "settings.api:queue_get",
    caller="portal",
    summary="A queue's own settings and its ETag",
    response=RESOURCE,
)
_writes(
    "/settings/queues/<qid>", "settings.api:queue_write", QUEUES, "queue's own settings", named=True
)
route(
    "POST",
    "/settings/queues/<qid>/move",
    "settings.api:queue_move",
    caller="portal",
    summary="Move a queue and its sub-queues in the tree (If-Match: the queue's ETag)",
    body="settings.api:QueueMove",
    headers=IF_MATCH,
    response=RESOURCE,
)
route(
    "POST",
    "/settings/languages/<code>/preview",
    "settings.messages:preview",
    caller="portal",
    summary="Hear a message: text-to-speech of a saved message or of any text (WAV)",
    body="settings.messages:MessagePreview",
    produces="audio/wav",
)
route(
    "POST",
    "/settings/audio",
    "settings.messages:upload",
    caller="portal",
    summary="Upload message audio (.mp3, checked by content); reference it as {audio: name}",
    body=BINARY,
    ok=(201,),
    response="settings.responses:AudioUpload",
)
route(
    "POST",
    "/settings/preview",
    "settings.preview:run",
    caller="portal",
    summary="Every after-hours decision a proposed change would alter in the next 14 days",
    body="settings.preview:ChangePreview",
    response="settings.responses:PreviewAnswer",
)
route(
    "GET",
    "/settings/audit",
    "settings.audit:list_entries",
    caller="portal",
    summary="Settings changes, newest first: who, when, resource, diff before -> after",
    query="settings.audit:AuditQuery",
    response="settings.responses:AuditPage",
)
route(
    "GET",
    "/settings/export",
    "settings.files:export",
    caller="portal",
    summary="The whole config in the file format (YAML); ETag = config version",
    produces="application/yaml",
)
route(
    "POST",
    "/settings/import",
    "settings.files:import_file",
    caller="portal",
    summary="Apply a whole config file (If-Match: the config version it was exported from)",
    body=BINARY,
    params=("dry_run",),
    headers=IF_MATCH,
    response="settings.responses:ImportReport",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
