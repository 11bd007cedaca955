"""Local stand-in for the Zendesk Support API (v2) with fault injection.

Speaks the shapes our CRM client depends on: uploads with tokens that expire after 60
minutes, ticket comments that attach uploads in order (a token can be attached once),
users with create_or_update/search/merge, custom fields and tags on tickets. Uploads are
streamed to disk and hashed so tests can assert "byte-identical, exactly once, in order".
"""

from __future__ import annotations

import argparse
import html
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, jsonify, request

from emulators.standins.common import (
    Fault,
    ServerHandle,
    Standin,
    StoredBlob,
    env,
    faultable,
    file_producer,
    install,
    iso_z,
    json_error,
    ranged_response,
    retry_after_headers,
    run_main,
    serve_app,
)

DEFAULT_EMAIL = "agent@example.com"
DEFAULT_API_TOKEN = "local-zendesk-token"
DEFAULT_PORT = 8181
TOKEN_TTL_SECONDS = 3600


# --------------------------------------------------------------------------- errors


def record_invalid(details: dict[str, list[dict[str, str]]]) -> Response:
    """Zendesk's 422 validation envelope."""
    body = {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    return json_error(422, body)


def not_found() -> Response:
    return json_error(404, {"error": "RecordNotFound", "description": "Not found"})


def _fault_error(status: int, fault: Fault | None) -> Response:
    headers = retry_after_headers(fault)
    if status == 429:
        # Zendesk answers rate limits in plain text, with rate headers.
        headers.setdefault("X-Rate-Limit", "700")
        headers.setdefault("X-Rate-Limit-Remaining", "0")
        return Response(
            "Number of allowed API requests per minute exceeded",
            status=429,
            headers=headers,
            content_type="text/plain",
        )
    if status >= 500:
        body = {"error": "ServiceUnavailable" if status == 503 else "InternalServerError"}
        body["description"] = "Injected server error"
        return json_error(status, body, headers)
    return json_error(status, {"error": "InjectedFault", "description": f"HTTP {status}"}, headers)


def created(body: Any) -> Response:
    resp = jsonify(body)
    resp.status_code = 201
    return resp


# --------------------------------------------------------------------------- models


@dataclass
class Attachment:
    id: int
    file_name: str
    content_type: str
    blob: StoredBlob
    access_token: str
    upload_token: str
    comment_id: int | None = None
    ticket_id: int | None = None


@dataclass
class Upload:
    token: str
    created_at: datetime
    expires_at: datetime
    attachment_ids: list[int] = field(default_factory=list)
    used_in_comment: int | None = None
    deleted: bool = False


@dataclass
class Comment:
    id: int
    ticket_id: int
    author_id: int
    body: str
    html_body: str
    public: bool
    attachment_ids: list[int]
    audit_id: int
    created_at: datetime
    upload_tokens: list[str]


def _new_token(n: int = 25) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


# --------------------------------------------------------------------------- the app


def create_app(
    email: str | None = None,
    api_token: str | None = None,
    token_ttl_seconds: int = TOKEN_TTL_SECONDS,
) -> Flask:
    """Build the Zendesk stand-in. Credentials default to ZENDESK_EMAIL/ZENDESK_API_TOKEN."""
    email = email or env("ZENDESK_EMAIL", DEFAULT_EMAIL)
    api_token = api_token or env("ZENDESK_API_TOKEN", DEFAULT_API_TOKEN)
    app = Flask("zendesk_standin")
    st: Standin = install(app, _fault_error, limit_status=429)
    lock = st.lock

    users: dict[int, dict[str, Any]] = {}
    tickets: dict[int, dict[str, Any]] = {}
    comments: dict[int, list[Comment]] = {}
    uploads: dict[str, Upload] = {}
    attachments: dict[int, Attachment] = {}
    counters: dict[str, int] = {}

    def next_id(kind: str, start: int) -> int:
        counters[kind] = counters.get(kind, start) + 1
        return counters[kind]

    def now() -> datetime:
        return st.clock.now()

    def base_url() -> str:
        return request.url_root.rstrip("/")

    def make_user(fields: dict[str, Any], role: str = "end-user") -> dict[str, Any]:
        uid = next_id("user", 360000000)
        t = iso_z(now())
        user = {
            "id": uid,
            "name": fields.get("name"),
            "email": fields.get("email"),
            "external_id": fields.get("external_id"),
            "phone": fields.get("phone"),
            "role": fields.get("role", role),
            "verified": bool(fields.get("verified", False)),
            "active": True,
            "suspended": False,
            "tags": list(fields.get("tags", [])),
            "user_fields": dict(fields.get("user_fields", {})),
            "details": fields.get("details"),
            "notes": fields.get("notes"),
            "organization_id": fields.get("organization_id"),
            "locale": fields.get("locale", "en-US"),
            "time_zone": fields.get("time_zone", "UTC"),
            "created_at": t,
            "updated_at": t,
        }
        users[uid] = user
        return user

    def _seed() -> None:
        make_user({"name": "Local Agent", "email": email, "verified": True}, role="admin")

    def _reset() -> None:
        users.clear()
        tickets.clear()
        comments.clear()
        uploads.clear()
        attachments.clear()
        counters.clear()
        _seed()

    _seed()
    st.on_reset(_reset)

    def agent_id() -> int:
        return next(u["id"] for u in users.values() if u["email"] == email)

    # ------------------------------------------------------------------ auth

    @app.before_request
    def _auth() -> Response | None:
        if not request.path.startswith("/api/v2/"):
            return None
        creds = request.authorization
        if creds is None or creds.username != f"{email}/token" or creds.password != api_token:
            return json_error(
                401,
                {"error": "Couldn't authenticate you"},
                {"WWW-Authenticate": 'Basic realm="Web Password"'},
            )
        return None

    def route(rule: str, methods: list[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register `rule.json` and `rule` (Zendesk accepts both)."""

        def deco(view: Callable[..., Any]) -> Callable[..., Any]:
            app.add_url_rule(rule + ".json", view.__name__, view, methods=methods)
            app.add_url_rule(rule, view.__name__, view, methods=methods)
            return view

        return deco

    def body_object(key: str) -> dict[str, Any] | None:
        data = request.get_json(force=True, silent=True)
        if not isinstance(data, dict) or not isinstance(data.get(key), dict):
            return None
        return data[key]

    def bad_body(key: str) -> Response:
        return json_error(
            400,
            {"error": "InvalidEndpoint", "description": f"Body must be a JSON object with '{key}'"},
        )

    # ------------------------------------------------------------------ rendering

    def attachment_json(a: Attachment) -> dict[str, Any]:
        content_url = f"{base_url()}/attachments/token/{a.access_token}/?name={quote(a.file_name)}"
        return {
            "id": a.id,
            "url": f"{base_url()}/api/v2/attachments/{a.id}.json",
            "file_name": a.file_name,
            "content_url": content_url,
            "mapped_content_url": content_url,
            "content_type": a.content_type,
            "size": a.blob.size,
            "width": None,
            "height": None,
            "inline": False,
            "deleted": False,
            "malware_access_override": False,
            "malware_scan_result": "malware_not_found",
            "thumbnails": [],
        }

    def upload_json(u: Upload, current: Attachment) -> dict[str, Any]:
        return {
            "token": u.token,
            "expires_at": iso_z(u.expires_at),
            "attachments": [attachment_json(attachments[i]) for i in u.attachment_ids],
            "attachment": attachment_json(current),
        }

    def comment_json(c: Comment) -> dict[str, Any]:
        return {
            "id": c.id,
            "type": "Comment",
            "author_id": c.author_id,
            "body": c.body,
            "html_body": c.html_body,
            "plain_body": c.body,
            "public": c.public,
            "attachments": [attachment_json(attachments[i]) for i in c.attachment_ids],
            "audit_id": c.audit_id,
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso_z(c.created_at),
            "metadata": {"system": {}, "custom": {}},
        }

    def ticket_json(t: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in t.items() if not k.startswith("_")}
        out["url"] = f"{base_url()}/api/v2/tickets/{t['id']}.json"
        out["fields"] = out["custom_fields"]
        return out

    def user_json(u: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in u.items() if not k.startswith("_")}
        out["url"] = f"{base_url()}/api/v2/users/{u['id']}.json"
        return out

    def listing(key: str, items: list[dict[str, Any]]) -> Response:
        return jsonify({key: items, "next_page": None, "previous_page": None, "count": len(items)})

    # ------------------------------------------------------------------ uploads

    def token_problem(token: str) -> str | None:
        u = uploads.get(token)
        if u is None or u.deleted:
            return f"Upload token '{token}' is invalid"
        if now() >= u.expires_at:
            return f"Upload token '{token}' has expired"
        if u.used_in_comment is not None:
            return f"Upload token '{token}' has already been used"
        return None

    @route("/api/v2/uploads", ["POST"])
    @faultable("uploads")
    def create_upload() -> Response:
        filename = request.args.get("filename")
        if not filename:
            return record_invalid(
                {"filename": [{"description": "Filename: cannot be blank", "error": "BlankValue"}]}
            )
        existing = request.args.get("token")
        if existing:
            with lock:
                problem = token_problem(existing)
            if problem:
                return record_invalid(
                    {"token": [{"description": problem, "error": "InvalidValue"}]}
                )
        content_type = (request.mimetype or "application/binary").lower()
        blob = st.blobs.save_stream(request.stream)
        with lock:
            if existing:
                upload = uploads[existing]
            else:
                t = now()
                upload = Upload(_new_token(), t, t + timedelta(seconds=token_ttl_seconds))
                uploads[upload.token] = upload
            att = Attachment(
                id=next_id("attachment", 27000000000),
                file_name=filename,
                content_type=content_type,
                blob=blob,
                access_token=_new_token(),
                upload_token=upload.token,
            )
            attachments[att.id] = att
            upload.attachment_ids.append(att.id)
            return created({"upload": upload_json(upload, att)})

    @route("/api/v2/uploads/<token>", ["DELETE"])
    @faultable("uploads")
    def delete_upload(token: str) -> Response:
        with lock:
            u = uploads.get(token)
            if u is None or u.deleted:
                return not_found()
            u.deleted = True
            return Response(status=204)

    @route("/api/v2/attachments/<int:att_id>", ["GET"])
    @faultable("attachments")
    def get_attachment(att_id: int) -> Response:
        with lock:
            a = attachments.get(att_id)
            return jsonify({"attachment": attachment_json(a)}) if a else not_found()

    @app.get("/attachments/token/<access_token>/")
    @faultable("attachments")
    def download_attachment(access_token: str) -> Response:
        with lock:
            a = next((x for x in attachments.values() if x.access_token == access_token), None)
        if a is None:
            return not_found()
        return ranged_response(
            a.blob.size,
            file_producer(a.blob.path),
            a.content_type,
            {"Content-Disposition": f'attachment; filename="{a.file_name}"'},
        )

    # ------------------------------------------------------------------ tickets

    def apply_comment(
        ticket: dict[str, Any], spec: dict[str, Any], uploads_ok: list[Upload]
    ) -> Comment:
        t = now()
        body = str(spec.get("body") or spec.get("html_body") or "")
        cid = next_id("comment", 40000000000)
        att_ids: list[int] = []
        for u in uploads_ok:
            u.used_in_comment = cid
            for aid in u.attachment_ids:
                attachments[aid].comment_id = cid
                attachments[aid].ticket_id = ticket["id"]
                att_ids.append(aid)
        c = Comment(
            id=cid,
            ticket_id=ticket["id"],
            author_id=int(spec.get("author_id") or agent_id()),
            body=body,
            html_body=spec.get("html_body")
            or f'<div class="zd-comment"><p>{html.escape(body)}</p></div>',
            public=bool(spec.get("public", True)),
            attachment_ids=att_ids,
            audit_id=next_id("audit", 50000000000),
            created_at=t,
            upload_tokens=[u.token for u in uploads_ok],
        )
        comments.setdefault(ticket["id"], []).append(c)
        ticket["updated_at"] = iso_z(t)
        return c

    def check_uploads(spec: dict[str, Any] | None) -> tuple[list[Upload], Response | None]:
        if not spec:
            return [], None
        tokens = spec.get("uploads") or []
        if not isinstance(tokens, list) or not all(isinstance(x, str) for x in tokens):
            return [], record_invalid(
                {"uploads": [{"description": "Uploads must be a list", "error": "InvalidValue"}]}
            )
        problems = [p for p in (token_problem(tok) for tok in tokens) if p]
        if len(set(tokens)) != len(tokens):
            problems.append("The same upload token is given twice")
        if problems:
            return [], record_invalid(
                {"base": [{"description": p, "error": "InvalidValue"} for p in problems]}
            )
        return [uploads[tok] for tok in tokens], None

    def resolve_requester(spec: dict[str, Any]) -> int | Response:
        if spec.get("requester_id") is not None:
            rid = spec["requester_id"]
            if rid not in users:
                return record_invalid(
                    {
                        "requester": [
                            {"description": "Requester: is invalid", "error": "InvalidValue"}
                        ]
                    }
                )
            return int(rid)
        req = spec.get("requester")
        if isinstance(req, dict):
            mail = req.get("email")
            found = next((u for u in users.values() if mail and u["email"] == mail), None)
            if found is None:
                found = make_user({"name": req.get("name") or mail or "Unknown", "email": mail})
            return int(found["id"])
        return agent_id()

    # Keys a PUT may not overwrite directly (handled separately or server-owned).
    special = {
        "id",
        "url",
        "created_at",
        "updated_at",
        "via",
        "comment",
        "requester",
        "requester_id",
        "submitter_id",
        "description",
        "tags",
        "additional_tags",
        "remove_tags",
        "custom_fields",
        "fields",
    }

    def apply_fields(ticket: dict[str, Any], spec: dict[str, Any]) -> None:
        """Store plain fields verbatim (CRM-record fields included), merge tags/custom fields."""
        for key, value in spec.items():
            if key not in special:
                ticket[key] = value
        if "subject" in spec:
            ticket["raw_subject"] = spec["subject"]
        if isinstance(spec.get("tags"), list):
            ticket["tags"] = sorted({str(x) for x in spec["tags"]})
        if isinstance(spec.get("additional_tags"), list):
            ticket["tags"] = sorted(set(ticket["tags"]) | {str(x) for x in spec["additional_tags"]})
        if isinstance(spec.get("remove_tags"), list):
            ticket["tags"] = sorted(set(ticket["tags"]) - {str(x) for x in spec["remove_tags"]})
        for key in ("custom_fields", "fields"):
            if isinstance(spec.get(key), list):
                current = {f["id"]: f for f in ticket["custom_fields"]}
                for item in spec[key]:
                    if isinstance(item, dict) and "id" in item:
                        current[item["id"]] = {"id": item["id"], "value": item.get("value")}
                ticket["custom_fields"] = list(current.values())

    def audit_json(ticket: dict[str, Any], c: Comment | None) -> dict[str, Any]:
        events: list[dict[str, Any]] = []
        if c is not None:
            events.append(
                {
                    "id": c.id,
                    "type": "Comment",
                    "body": c.body,
                    "public": c.public,
                    "attachments": [attachment_json(attachments[i]) for i in c.attachment_ids],
                }
            )
        return {
            "id": c.audit_id if c else next_id("audit", 50000000000),
            "ticket_id": ticket["id"],
            "created_at": ticket["updated_at"],
            "author_id": agent_id(),
            "events": events,
        }

    @route("/api/v2/tickets", ["POST"])
    @faultable("tickets")
    def create_ticket() -> Response:
        spec = body_object("ticket")
        if spec is None:
            return bad_body("ticket")
        comment_spec = spec.get("comment") if isinstance(spec.get("comment"), dict) else None
        if comment_spec is None and spec.get("description"):
            comment_spec = {"body": spec["description"]}
        if not comment_spec or not (comment_spec.get("body") or comment_spec.get("html_body")):
            return record_invalid(
                {
                    "description": [
                        {"description": "Description: cannot be blank", "error": "BlankValue"}
                    ]
                }
            )
        with lock:
            ok, err = check_uploads(comment_spec)
            if err:
                return err
            requester = resolve_requester(spec)
            if isinstance(requester, Response):
                return requester
            t = iso_z(now())
            tid = next_id("ticket", 0)
            ticket: dict[str, Any] = {
                "id": tid,
                "external_id": None,
                "via": {"channel": "api"},
                "created_at": t,
                "updated_at": t,
                "type": None,
                "subject": None,
                "raw_subject": None,
                "description": str(comment_spec.get("body") or comment_spec.get("html_body")),
                "priority": None,
                "status": "new",
                "requester_id": requester,
                "submitter_id": agent_id(),
                "assignee_id": None,
                "organization_id": None,
                "group_id": None,
                "collaborator_ids": [],
                "follower_ids": [],
                "email_cc_ids": [],
                "has_incidents": False,
                "is_public": bool(comment_spec.get("public", True)),
                "due_at": None,
                "tags": [],
                "custom_fields": [],
                "satisfaction_rating": None,
                "brand_id": None,
                "allow_attachments": True,
            }
            apply_fields(ticket, spec)
            tickets[tid] = ticket
            c = apply_comment(ticket, comment_spec, ok)
            return created({"ticket": ticket_json(ticket), "audit": audit_json(ticket, c)})

    @route("/api/v2/tickets", ["GET"])
    @faultable("tickets")
    def list_tickets() -> Response:
        # Zendesk's List Tickets accepts ?external_id= to find tickets by external id.
        wanted = request.args.get("external_id")
        with lock:
            items = [
                ticket_json(t)
                for t in tickets.values()
                if wanted is None or t.get("external_id") == wanted
            ]
        return listing("tickets", items)

    @route("/api/v2/tickets/<int:ticket_id>", ["GET"])
    @faultable("tickets")
    def get_ticket(ticket_id: int) -> Response:
        with lock:
            t = tickets.get(ticket_id)
            return jsonify({"ticket": ticket_json(t)}) if t else not_found()

    @route("/api/v2/tickets/<int:ticket_id>", ["PUT"])
    @faultable("tickets")
    def update_ticket(ticket_id: int) -> Response:
        spec = body_object("ticket")
        if spec is None:
            return bad_body("ticket")
        comment_spec = spec.get("comment") if isinstance(spec.get("comment"), dict) else None
        with lock:
            ticket = tickets.get(ticket_id)
            if ticket is None:
                return not_found()
            ok, err = check_uploads(comment_spec)
            if err:
                return err
            if comment_spec is not None and not (
                comment_spec.get("body") or comment_spec.get("html_body") or ok
            ):
                return record_invalid(
                    {
                        "comment": [
                            {"description": "Comment: cannot be blank", "error": "BlankValue"}
                        ]
                    }
                )
            if "requester_id" in spec or "requester" in spec:
                requester = resolve_requester(spec)
                if isinstance(requester, Response):
                    return requester
                ticket["requester_id"] = requester
            apply_fields(ticket, spec)
            ticket["updated_at"] = iso_z(now())
            c = apply_comment(ticket, comment_spec, ok) if comment_spec is not None else None
            return jsonify({"ticket": ticket_json(ticket), "audit": audit_json(ticket, c)})

    @route("/api/v2/tickets/<int:ticket_id>/comments", ["GET"])
    @faultable("comments")
    def list_comments(ticket_id: int) -> Response:
        with lock:
            if ticket_id not in tickets:
                return not_found()
            items = [comment_json(c) for c in comments.get(ticket_id, [])]
        if request.args.get("sort_order") == "desc":
            items.reverse()
        return listing("comments", items)

    # ------------------------------------------------------------------ users

    def validate_user(spec: dict[str, Any], exclude: int | None) -> Response | None:
        details: dict[str, list[dict[str, str]]] = {}
        for key in ("email", "external_id"):
            value = spec.get(key)
            if value and any(
                u[key] == value and u["active"] and u["id"] != exclude for u in users.values()
            ):
                details[key] = [
                    {
                        "description": f"{key}: {value} is already being used by another user",
                        "error": "DuplicateValue",
                    }
                ]
        return record_invalid(details) if details else None

    def update_user_fields(user: dict[str, Any], spec: dict[str, Any]) -> None:
        for key in ("name", "email", "external_id", "phone", "verified", "details", "notes"):
            if key in spec:
                user[key] = spec[key]
        for key in ("role", "organization_id", "locale", "time_zone"):
            if key in spec:
                user[key] = spec[key]
        if isinstance(spec.get("tags"), list):
            user["tags"] = list(spec["tags"])
        if isinstance(spec.get("user_fields"), dict):
            user["user_fields"].update(spec["user_fields"])
        user["updated_at"] = iso_z(now())

    @route("/api/v2/users", ["POST"])
    @faultable("users")
    def create_user() -> Response:
        spec = body_object("user")
        if spec is None:
            return bad_body("user")
        if not spec.get("name"):
            return record_invalid(
                {"name": [{"description": "Name: cannot be blank", "error": "BlankValue"}]}
            )
        with lock:
            err = validate_user(spec, None)
            if err:
                return err
            return created({"user": user_json(make_user(spec))})

    @route("/api/v2/users/create_or_update", ["POST"])
    @faultable("users")
    def create_or_update_user() -> Response:
        spec = body_object("user")
        if spec is None:
            return bad_body("user")
        with lock:
            match = None
            for key in ("external_id", "email"):
                if spec.get(key):
                    match = next(
                        (u for u in users.values() if u["active"] and u[key] == spec[key]), None
                    )
                    if match:
                        break
            if match is not None:
                err = validate_user(spec, match["id"])
                if err:
                    return err
                update_user_fields(match, spec)
                return jsonify({"user": user_json(match)})
            if not spec.get("name"):
                return record_invalid(
                    {"name": [{"description": "Name: cannot be blank", "error": "BlankValue"}]}
                )
            return created({"user": user_json(make_user(spec))})

    @route("/api/v2/users/search", ["GET"])
    @faultable("users")
    def search_users() -> Response:
        ext = request.args.get("external_id")
        query = (request.args.get("query") or "").strip()
        with lock:
            active = [u for u in users.values() if u["active"]]
            if ext is not None:
                found = [u for u in active if u["external_id"] == ext]
            elif query:
                key, sep, value = query.partition(":")
                if sep and key in ("email", "external_id", "name", "phone"):
                    found = [u for u in active if str(u.get(key) or "") == value.strip('"')]
                else:
                    q = query.lower()
                    found = [
                        u
                        for u in active
                        if q in str(u.get("name") or "").lower()
                        or q in str(u.get("email") or "").lower()
                    ]
            else:
                return json_error(
                    400, {"error": "InvalidEndpoint", "description": "query or external_id"}
                )
            return listing("users", [user_json(u) for u in found])

    @route("/api/v2/users/<int:user_id>", ["GET"])
    @faultable("users")
    def get_user(user_id: int) -> Response:
        with lock:
            u = users.get(user_id)
            return jsonify({"user": user_json(u)}) if u else not_found()

    @route("/api/v2/users/<int:user_id>", ["PUT"])
    @faultable("users")
    def update_user(user_id: int) -> Response:
        spec = body_object("user")
        if spec is None:
            return bad_body("user")
        with lock:
            u = users.get(user_id)
            if u is None:
                return not_found()
            err = validate_user(spec, user_id)
            if err:
                return err
            update_user_fields(u, spec)
            return jsonify({"user": user_json(u)})

    @route("/api/v2/users/<int:user_id>/merge", ["PUT"])
    @faultable("users")
    def merge_user(user_id: int) -> Response:
        spec = body_object("user")
        if spec is None or "id" not in spec:
            return bad_body("user")
        with lock:
            source = users.get(user_id)
            target = users.get(int(spec["id"])) if str(spec["id"]).isdigit() else None
            if source is None or target is None or not source["active"]:
                return not_found()
            if source["id"] == target["id"] or source["role"] != "end-user":
                return record_invalid(
                    {"base": [{"description": "Users cannot be merged", "error": "InvalidValue"}]}
                )
            for t in tickets.values():
                if t["requester_id"] == source["id"]:
                    t["requester_id"] = target["id"]
                    t["updated_at"] = iso_z(now())
            source["active"] = False
            source["_merged_into"] = target["id"]
            target["updated_at"] = iso_z(now())
            return jsonify({"user": user_json(target)})

    @route("/api/v2/users/<int:user_id>/tickets/requested", ["GET"])
    @faultable("tickets")
    def requested_tickets(user_id: int) -> Response:
        with lock:
            if user_id not in users:
                return not_found()
            items = [ticket_json(t) for t in tickets.values() if t["requester_id"] == user_id]
        return listing("tickets", items)

    # ------------------------------------------------------------------ control

    def attachment_record(a: Attachment) -> dict[str, Any]:
        return {
            "id": a.id,
            "comment_id": a.comment_id,
            "ticket_id": a.ticket_id,
            "file_name": a.file_name,
            "content_type": a.content_type,
            "size": a.blob.size,
            "sha256": a.blob.sha256,
            "upload_token": a.upload_token,
        }

    @app.get("/_control/tickets/<int:ticket_id>/attachments")
    def control_ticket_attachments(ticket_id: int) -> Response:
        with lock:
            if ticket_id not in tickets:
                return json_error(404, {"error": "no such ticket"})
            out = [
                attachment_record(attachments[aid])
                for c in comments.get(ticket_id, [])
                for aid in c.attachment_ids
            ]
            return jsonify({"attachments": out})

    @app.get("/_control/tickets")
    def control_tickets() -> Response:
        with lock:
            out = []
            for t in tickets.values():
                item = ticket_json(t)
                item["comments"] = [comment_json(c) for c in comments.get(t["id"], [])]
                out.append(item)
            return jsonify({"tickets": out})

    @app.get("/_control/uploads")
    def control_uploads() -> Response:
        with lock:
            out = [
                {
                    "token": u.token,
                    "created_at": iso_z(u.created_at),
                    "expires_at": iso_z(u.expires_at),
                    "used_in_comment": u.used_in_comment,
                    "deleted": u.deleted,
                    "attachments": [attachment_record(attachments[i]) for i in u.attachment_ids],
                }
                for u in uploads.values()
            ]
            return jsonify({"uploads": out})

    @app.get("/_control/users")
    def control_users() -> Response:
        with lock:
            out = [{**user_json(u), "merged_into": u.get("_merged_into")} for u in users.values()]
            return jsonify({"users": out})

    return app


def serve(port: int = 0, host: str = "127.0.0.1", **config: Any) -> ServerHandle:
    """Start the Zendesk stand-in in a background thread (port 0 = any free port)."""
    return serve_app(create_app(**config), port=port, host=host)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", default=None, help="default: $ZENDESK_EMAIL")
    parser.add_argument("--api-token", default=None, help="default: $ZENDESK_API_TOKEN")


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {"email": args.email, "api_token": args.api_token}


def main(argv: list[str] | None = None) -> None:
    """`python -m emulators.standins.zendesk_server --port N`."""
    run_main("zendesk_server", create_app, DEFAULT_PORT, argv, _add_args, _config)


if __name__ == "__main__":
    main()
