"""Routes of the settings_http function: the Settings API (docs/openapi/settings_http.yaml)."""

from __future__ import annotations

import flask

from core.http import Router, lazy_modules
from settings.resources import (
    CENTER,
    CENTER_HOURS,
    DEFLECTION,
    HOURS,
    LANGUAGES,
    ROLES,
    TEAMS,
    USERS,
)

api, audit, files, messages, preview = lazy_modules(
    "settings", "api", "audit", "files", "messages", "preview"
)

router = Router("settings_http")
r = router.route

for _path, _kind in (
    ("/settings/center", CENTER),
    ("/settings/center/hours", CENTER_HOURS),
    ("/settings/deflection", DEFLECTION),
):
    r(_path, ["GET"])(lambda request, k=_kind: api.center_get(request, k))
    r(_path, ["PUT", "PATCH"])(lambda request, k=_kind: api.center_write(request, k))

for _path, _named in (
    ("/settings/hours", HOURS),
    ("/settings/languages", LANGUAGES),
    ("/settings/teams", TEAMS),
    ("/settings/users", USERS),
    ("/settings/roles", ROLES),
):
    r(_path, ["GET"])(lambda request, k=_named: api.center_list(request, k))
    r(f"{_path}/<key>", ["GET"])(lambda request, key, k=_named: api.center_get(request, k, key))
    r(f"{_path}/<key>", ["PUT", "PATCH", "DELETE"])(
        lambda request, key, k=_named: api.center_write(request, k, key)
    )

r("/settings/queues", ["GET"])(lambda request: api.queue_list(request))
r("/settings/queues", ["POST"])(lambda request: api.queue_create(request))
r("/settings/queues/<qid>", ["GET"])(lambda request, qid: api.queue_get(request, qid))
r("/settings/queues/<qid>", ["PUT", "PATCH", "DELETE"])(
    lambda request, qid: api.queue_write(request, qid)
)
r("/settings/queues/<qid>/move", ["POST"])(lambda request, qid: api.queue_move(request, qid))

r("/settings/languages/<key>/preview", ["POST"])(
    lambda request, key: messages.preview(request, key)
)
r("/settings/audio", ["POST"])(lambda request: messages.upload(request))

r("/settings/preview", ["POST"])(lambda request: preview.run(request))
r("/settings/audit", ["GET"])(lambda request: audit.list_entries(request))
r("/settings/export", ["GET"])(lambda request: files.export(request))
r("/settings/import", ["POST"])(lambda request: files.import_file(request))


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
