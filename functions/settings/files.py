"""The whole config as a file: export in the file format, import (apply) it back."""

from __future__ import annotations

import flask
import yaml

from core.config import store
from core.config.export import dump
from core.config.loader import ConfigError, parse
from core.errors import ApiError, bad_request, invalid_fields
from core.http import json_response
from settings import access, writes

MAX_FILE = 2 * 1024 * 1024


def export(request: flask.Request) -> flask.Response:
    access.require_center(access.editor(request))
    cfg, version = store.load_config()
    return flask.Response(
        dump(cfg),
        mimetype="application/yaml",
        headers={
            "ETag": f'"{version}"',
            "Content-Disposition": 'attachment; filename="contact-center.yaml"',
        },
    )


def import_file(request: flask.Request) -> flask.Response:
    """Apply a whole file (what export returns). If-Match names the config version the
    file was made from, so an import never undoes a change saved in between."""
    who = access.editor(request)
    access.require_center(who)
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "yes")
    expected = writes.if_match(request)
    if not expected and not dry_run:
        raise ApiError(
            428,
            "precondition_required",
            "send If-Match with the config version (the ETag of GET /settings/export)",
            field="If-Match",
        )
    raw = request.get_data(cache=False)
    if len(raw) > MAX_FILE:
        raise ApiError(413, "too_large", f"the file is over {MAX_FILE} bytes", field="body")
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise bad_request("body", f"not a valid YAML file{where}") from None
    try:
        cfg = parse(data)
    except ConfigError as exc:
        raise invalid_fields(exc.problems) from None
    try:
        report = store.apply(
            cfg, dry_run=dry_run, expected_version=expected, actor=access.actor(who)
        )
    except store.VersionConflict as exc:
        raise ApiError(
            412,
            "version_mismatch",
            "the settings changed since this file was exported; export again",
            field="If-Match",
            headers={"ETag": f'"{exc.current}"'},
        ) from None
    except ValueError as exc:
        raise bad_request("body", str(exc)) from None
    return json_response(
        report.as_dict() | {"dry_run": dry_run}, headers={"ETag": f'"{report.hash}"'}
    )
