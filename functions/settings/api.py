"""Handlers of the resource routes: who may do what, then `writes` does the rest."""

from __future__ import annotations

from typing import Any

import flask
from pydantic import Field

from core.config import store
from core.config.schema.common import Strict
from core.config.schema.people import BUILTIN_ROLES
from core.errors import ApiError, bad_request, conflict, not_found
from core.http import json_response, parse_body, read_json
from core.merge_patch import check_keys
from settings import access, messages, writes
from settings.models import NewQueue
from settings.resources import QUEUES, Kind, clean, etag, find_queue, walk

# -- center-wide resources -------------------------------------------------------------


def center_get(request: flask.Request, kind: Kind, key: str | None = None) -> flask.Response:
    access.require_center(access.editor(request))
    return writes.read(kind, key)


def center_write(request: flask.Request, kind: Kind, key: str | None = None) -> flask.Response:
    who = access.editor(request)
    access.require_center(who)
    if kind.name == "roles" and key in BUILTIN_ROLES:
        raise bad_request("roles", f"{key!r} is a built-in role; give a custom role another id")
    check = messages.check_audio(str(key)) if kind.name == "languages" else None
    return writes.write(request, who, kind, key, check=check)


def center_list(request: flask.Request, kind: Kind) -> flask.Response:
    access.require_center(access.editor(request))
    data, version = writes.current()
    items = []
    for key in kind.keys(data):
        value = kind.get(data, key)
        items.append({"id": key, "etag": etag(value), "data": value})
    body: dict[str, Any] = {"version": version, "items": items}
    if kind.name == "roles":
        body["builtin"] = BUILTIN_ROLES
    return json_response(body)


# -- queues ----------------------------------------------------------------------------


def _queue_meta(data: dict[str, Any], key: str | None) -> dict[str, Any]:
    loc, q, parent, _ = find_queue(data, str(key))
    names: dict[str, str] = {}
    path = ""
    for _, node, p, _ in walk(data["queues"]):
        names[node["id"]] = (names[p] + " > " if p else "") + node["name"]
        if node["id"] == key:
            path = names[node["id"]]
    return {
        "id": key,
        "parent": parent,
        "path": path,
        "children": [c["id"] for c in q.get("children") or []],
    }


def _scoped(request: flask.Request, qid: str) -> Any:
    who = access.editor(request)
    access.require_queue(who, store.get_view(), qid)
    return who


def queue_list(request: flask.Request) -> flask.Response:
    who = access.editor(request)
    data, version = writes.current()
    out = []
    for _, q, _, _ in walk(data["queues"]):
        if who.can_see_queue(q["id"]):
            value = QUEUES.get(data, q["id"])
            out.append({**_queue_meta(data, q["id"]), "etag": etag(value), "data": value})
    return json_response({"version": version, "queues": out})


def queue_get(request: flask.Request, qid: str) -> flask.Response:
    _scoped(request, qid)
    return writes.read(QUEUES, qid, _queue_meta)


def queue_write(request: flask.Request, qid: str) -> flask.Response:
    who = _scoped(request, qid)
    if request.method == "DELETE":
        view = store.get_view()
        node = view.queue(qid)
        if node is not None and node.children:
            raise conflict(f"queue {qid!r} has sub-queues; delete or move them first")
    return writes.write(request, who, QUEUES, qid, _queue_meta)


def queue_create(request: flask.Request) -> flask.Response:
    who = access.editor(request)
    body = read_json(request)
    check_keys(NewQueue, body, "")
    parent = body.get("parent")
    if parent is None:
        access.require_center(who)
    elif not isinstance(parent, str):
        raise bad_request("parent", "must be a queue id")
    else:
        access.require_queue(who, store.get_view(), parent)
    qid = body.get("id")
    if not isinstance(qid, str):
        raise bad_request("id", "required: the new queue's id")
    fields = {k: v for k, v in body.items() if k != "parent"}

    def change(cfg: Any, version: str) -> Any:
        if cfg is None:
            raise not_found("configuration")
        data = cfg.model_dump(mode="json")
        if any(q["id"] == qid for _, q, _, _ in walk(data["queues"])):
            raise ApiError(409, "conflict", f"queue {qid!r} exists", field="id")
        if parent is None:
            data["queues"].append(fields)
        else:
            try:
                _, holder, _, _ = find_queue(data, parent)
            except KeyError:
                raise not_found("queue") from None
            holder.setdefault("children", []).append(fields)
        return writes.validate(data), None

    def entry(ch: store.Change) -> dict[str, Any]:
        out = store.audit_entry(
            access.actor(who), f"queues/{qid}", "POST", None, clean(fields), ch.report
        )
        out["queue_id"] = qid
        return out

    done = store.transact(change, audit=entry)
    data = done.after.model_dump(mode="json")
    return writes.respond(
        writes.representation(QUEUES, data, qid, done.report.hash, _queue_meta), 201
    )


class QueueMove(Strict):
    """Where a queue (with its sub-queues) goes: under `parent` (none: top level), at
    `position` among its new siblings (none: last)."""

    parent: str | None = None
    position: int | None = Field(None, ge=0, le=10_000)


def queue_move(request: flask.Request, qid: str) -> flask.Response:
    who = _scoped(request, qid)
    body = parse_body(request, QueueMove)
    view = store.get_view()
    if body.parent is None:
        access.require_center(who)
    else:
        access.require_queue(who, view, body.parent)
    expected = writes.if_match(request)

    def change(cfg: Any, version: str) -> Any:
        if cfg is None:
            raise not_found("configuration")
        data = cfg.model_dump(mode="json")
        try:
            _, node, old_parent, siblings = find_queue(data, qid)
        except KeyError:
            raise not_found("queue") from None
        current = etag(QUEUES.get(data, qid))
        if expected is None or expected != current:
            raise ApiError(
                428 if expected is None else 412,
                "precondition_required" if expected is None else "version_mismatch",
                "send If-Match with the queue's current ETag",
                field="If-Match",
                headers={"ETag": f'"{current}"'},
            )
        if body.parent is not None and body.parent in {q["id"] for _, q, _, _ in walk([node])}:
            raise bad_request("parent", "a queue cannot move under itself or its sub-queues")
        siblings.remove(node)
        if body.parent is None:
            target = data["queues"]
        else:
            try:
                target = find_queue(data, body.parent)[1].setdefault("children", [])
            except KeyError:
                raise not_found("queue") from None
        pos = len(target) if body.position is None else min(body.position, len(target))
        target.insert(pos, node)
        return writes.validate(data), ({"parent": old_parent}, {"parent": body.parent})

    def entry(ch: store.Change) -> dict[str, Any]:
        before, after = ch.detail
        out = store.audit_entry(
            access.actor(who), f"queues/{qid}", "MOVE", before, after, ch.report
        )
        out["queue_id"] = qid
        return out

    done = store.transact(change, audit=entry)
    data = done.after.model_dump(mode="json")
    return writes.respond(writes.representation(QUEUES, data, qid, done.report.hash, _queue_meta))
