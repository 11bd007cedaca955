"""Read and update notification settings, globally and per queue.

Updates go through the config store (load the applied config, change one part, validate
the whole config, apply), so the API and the config-as-code file can never disagree: the
next `config export` shows exactly what the portal saved. Each update is one config
transaction (`store.transact`): a concurrent update of another queue is merged, never lost,
and `If-Match: <version>` refuses a change made on a stale read. PATCH is a JSON merge
patch (null removes an override, so the queue inherits again).
"""

from __future__ import annotations

from typing import Any

import flask
from pydantic import BaseModel, ValidationError

from core import logs
from core.auth import portal
from core.config import store
from core.config.schema import ContactCenterConfig
from core.config.schema.notifications import CenterNotifications, QueueNotifications
from core.config.view import CenterView
from core.errors import ApiError, forbidden, from_validation, invalid_fields, not_found
from core.http import json_response, read_json
from core.merge_patch import check_keys, merge_patch
from notifications import library
from notifications.effective import KINDS, ClipKind, custom_references, problems, resolve

log = logs.get("notifications.settings")


# -- authorization ---------------------------------------------------------------------
def _editor(request: flask.Request, qid: str | None) -> tuple[portal.Principal, CenterView]:
    who = portal.authenticate(request)
    who.require("settings.edit")
    view = store.get_view()
    if qid is None:
        if not who.all_queues:
            raise forbidden("global settings need a role whose scope is all queues")
    else:
        if view.queue(qid) is None:
            raise not_found("queue")
        who.require_queue(qid, "queue")
    return who, view


# -- bodies ------------------------------------------------------------------------------
def _body(view: CenterView, qid: str | None) -> dict[str, Any]:
    own: Any
    if qid is None:
        own = view.center.notifications
    else:
        own = view.queues[qid].cfg.notifications
    out: dict[str, Any] = {
        "version": view.version,
        "settings": own.model_dump(exclude_none=True) if own else {},
        "effective": {},
        "sources": {},
    }
    if qid is not None:
        out = {"queue_id": qid, "path": view.queues[qid].path} | out
    for kind in KINDS:
        eff, src = resolve(view, qid, kind)
        out["effective"][kind] = eff
        out["sources"][kind] = src
    return out


def _respond(body: dict[str, Any]) -> flask.Response:
    return json_response(body, headers={"ETag": f'"{body["version"]}"'})


def get_settings(request: flask.Request, qid: str | None = None) -> flask.Response:
    _, view = _editor(request, qid)
    return _respond(_body(view, qid))


# -- merge patch ---------------------------------------------------------------------------
def _tone_slot(path: str) -> bool:
    """A tone slot (`<kind>.tones.<slot>`) is one choice: a patch replaces it whole."""
    return "." in path and path.rsplit(".", 1)[0].endswith("tones")


# -- update ----------------------------------------------------------------------------
def _locate(data: dict[str, Any], qid: str) -> dict[str, Any]:
    stack = list(data["queues"])
    while stack:
        q = stack.pop()
        if q["id"] == qid:
            return q
        stack.extend(q.get("children") or [])
    raise not_found("queue")


def _if_match(request: flask.Request) -> str | None:
    tag = request.headers.get("If-Match")
    return tag.strip().strip('"') if tag and tag.strip() != "*" else None


def update(request: flask.Request, qid: str | None = None) -> flask.Response:
    who, _ = _editor(request, qid)
    model: type[BaseModel] = CenterNotifications if qid is None else QueueNotifications
    raw = read_json(request)
    check_keys(model, raw)
    expected = _if_match(request)

    def change(cfg: ContactCenterConfig | None, version: str) -> ContactCenterConfig:
        # Runs inside the config transaction, again on the newer config if another writer
        # won the race: a patch of another queue merges, a stale If-Match is refused.
        if cfg is None:
            raise not_found("configuration")
        if expected and expected != version:
            raise ApiError(
                412,
                "version_mismatch",
                "the settings changed since you read them; reload and retry",
                field="If-Match",
                headers={"ETag": f'"{version}"'},
            )
        data = cfg.model_dump(mode="json")
        holder = data["center"] if qid is None else _locate(data, qid)
        current = _strip_none(holder.get("notifications") or {})
        wanted = merge_patch(current, raw, whole=_tone_slot) if request.method == "PATCH" else raw
        try:
            parsed = model.model_validate(wanted)
        except ValidationError as exc:
            raise from_validation(exc) from None
        holder["notifications"] = parsed.model_dump(mode="json", exclude_none=True)
        try:
            new_cfg = ContactCenterConfig.model_validate(data)
        except ValidationError as exc:
            raise from_validation(exc) from None
        _check_playable(CenterView(new_cfg, ""), qid)
        return new_cfg

    resource = "notifications" if qid is None else f"queues/{qid}/notifications"
    done = store.transact(
        change,
        audit=lambda ch: store.audit_entry(
            {"type": "user", "id": who.user_id, "name": who.name},
            resource,
            request.method,
            ch.before.model_dump(mode="json") if ch.before else None,
            ch.after.model_dump(mode="json"),
            ch.report,
        ),
    )
    logs.event(
        log,
        "notification settings updated",
        user=who.user_id,
        queue_id=qid,
        version=done.report.hash,
        changed=done.report.changed,
    )
    return _respond(_body(CenterView(done.after, done.report.hash), qid))


def _strip_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _strip_none(v) if isinstance(v, dict) else v for k, v in d.items() if v is not None}


def _check_playable(view: CenterView, qid: str | None) -> None:
    """Every queue the change reaches must still resolve to something playable."""
    scope: list[str | None] = [qid, *(view.descendants(qid)[1:] if qid else view.queues)]
    errors: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    known: dict[tuple[str, str], bool] = {}

    def exists(clip_kind: ClipKind, cid: str) -> bool:
        if (clip_kind, cid) not in known:
            known[(clip_kind, cid)] = library.get(cid, clip_kind) is not None
        return known[(clip_kind, cid)]

    for q in scope:
        for kind in KINDS:
            eff, _ = resolve(view, q, kind)
            where = f" (effective for queue {q})" if q and q != qid else ""
            found = problems(eff)
            for field, clip_kind, cid in custom_references(eff):
                if not exists(clip_kind, cid):
                    found.append((field, f"no uploaded {clip_kind} {cid!r}"))
            for field, problem in found:
                key = (f"{kind}.{field}", problem + where)
                if key not in seen:
                    seen.add(key)
                    errors.append(key)
    if errors:
        raise invalid_fields(errors)
