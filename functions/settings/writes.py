"""Read and write one resource: ETag, If-Match, merge patch / PUT, validation of the whole
config with the file's error paths, one config transaction, one audit entry per change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from pydantic import ValidationError

from core.auth.portal import Principal
from core.config import store
from core.config.loader import format_loc, problems_of
from core.config.schema import ContactCenterConfig
from core.errors import ApiError, bad_request, invalid_fields, not_found
from core.http import json_response, read_json
from core.merge_patch import check_keys, merge_patch
from settings import access
from settings.resources import Kind, etag

Meta = Callable[[dict[str, Any], str | None], dict[str, Any]]


def if_match(request: flask.Request) -> str | None:
    tag = (request.headers.get("If-Match") or "").strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip('"') or None


def invalid(exc: ValidationError) -> ApiError:
    """The config file's own error report: every problem with its path in the file."""
    return invalid_fields(problems_of(exc))


def validate(data: dict[str, Any]) -> ContactCenterConfig:
    try:
        cfg = ContactCenterConfig.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None
    from core.config import media  # touches the media bucket only if audio is named

    missing = [(format_loc(loc), msg) for loc, msg in media.problems(cfg)]
    if missing:
        raise invalid_fields(missing)
    return cfg


def representation(
    kind: Kind, data: dict[str, Any], key: str | None, version: str, meta: Meta | None
) -> dict[str, Any]:
    value = kind.get(data, key)
    if value is None:
        raise not_found(kind.name.split("/")[0].rstrip("s") or "resource")
    out: dict[str, Any] = {
        "resource": kind.resource(key),
        "etag": etag(value),
        "version": version,
        "data": value,
    }
    if meta is not None:
        out |= meta(data, key)
    return out


def respond(body: dict[str, Any], status: int = 200) -> flask.Response:
    return json_response(body, status, headers={"ETag": f'"{body["etag"]}"'})


def current() -> tuple[dict[str, Any], str]:
    cfg, version = store.load_config()
    return cfg.model_dump(mode="json"), version


def read(kind: Kind, key: str | None, meta: Meta | None = None) -> flask.Response:
    data, version = current()
    return respond(representation(kind, data, key, version, meta))


def proposed(
    kind: Kind,
    data: dict[str, Any],
    key: str | None,
    method: str,
    body: dict[str, Any] | None,
    expected: str | None,
    version: str,
) -> tuple[Any, Any]:
    """Apply one request to the config JSON in place; (before, after) of the resource.

    The precondition: a write to an existing resource names its ETag in If-Match (428
    without it, 412 when it moved); creating with PUT needs no If-Match.
    """
    before = kind.get(data, key)
    if before is None and method != "PUT":
        raise not_found(kind.name.rstrip("s"))
    if before is not None:
        if expected is None:
            raise ApiError(
                428,
                "precondition_required",
                "send If-Match with the resource's ETag (GET it first)",
                field="If-Match",
                headers={"ETag": f'"{etag(before)}"'},
            )
        if expected != etag(before):
            raise ApiError(
                412,
                "version_mismatch",
                f"{kind.resource(key)} changed since you read it; reload and retry",
                field="If-Match",
                headers={"ETag": f'"{etag(before)}"', "X-Config-Version": version},
            )
    elif expected is not None:
        raise ApiError(
            412, "version_mismatch", f"{kind.resource(key)} does not exist", field="If-Match"
        )
    if method == "DELETE":
        after = None
    else:
        assert body is not None
        check_keys(kind.model, body, kind.loc(data, key))
        after = merge_patch(before or {}, body) if method == "PATCH" else body
    kind.put(data, key, after)
    return before, after


def write(
    request: flask.Request,
    who: Principal,
    kind: Kind,
    key: str | None,
    meta: Meta | None = None,
    check: Callable[[ContactCenterConfig], None] | None = None,
) -> flask.Response:
    """PUT / PATCH / DELETE of one resource through the config transaction."""
    method = request.method
    body = read_json(request) if method in ("PUT", "PATCH") else None
    expected = if_match(request)
    if expected == "*":
        raise bad_request("If-Match", "name the resource's ETag, not *")

    def change(cfg: ContactCenterConfig | None, version: str) -> Any:
        if cfg is None:
            raise not_found("configuration")
        data = cfg.model_dump(mode="json")
        before, _ = proposed(kind, data, key, method, body, expected, version)
        new_cfg = validate(data)
        if check is not None:
            check(new_cfg)
        # The audit compares what the config holds (defaults filled in) before and after.
        after = None if method == "DELETE" else kind.get(new_cfg.model_dump(mode="json"), key)
        return new_cfg, (before, after)

    def entry(ch: store.Change) -> dict[str, Any]:
        before, after = ch.detail
        out = store.audit_entry(
            access.actor(who), kind.resource(key), method, before, after, ch.report
        )
        if kind.name == "queues":
            out["queue_id"] = key
        return out

    done = store.transact(change, audit=entry)
    if method == "DELETE":
        return flask.Response(status=204)
    created = done.detail[0] is None
    data = done.after.model_dump(mode="json")
    return respond(representation(kind, data, key, done.report.hash, meta), 201 if created else 200)
