"""The Zendesk stand-in's state: users, tickets, comments, uploads and attachments, and
the rules that change them (upload tokens that expire and attach once, comments that
attach uploads in order, requester lookup, field and tag merges, user uniqueness).

One instance per app (`state()` inside a request); every change happens under `lock`.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request

from emulators.standins.common import Standin, iso_z
from emulators.standins.zendesk_standin.models import Attachment, Comment, Upload
from emulators.standins.zendesk_standin.wire import record_invalid

EXTENSION = "zendesk_standin"

# Keys a ticket PUT may not overwrite directly (handled separately or server-owned).
SPECIAL_TICKET_KEYS = {
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


def state() -> ZendeskState:
    """The state of the app serving the current request."""
    return current_app.extensions[EXTENSION]


def base_url() -> str:
    return request.url_root.rstrip("/")


class ZendeskState:
    def __init__(self, st: Standin, email: str, api_token: str, token_ttl_seconds: int) -> None:
        self.st = st
        self.lock = st.lock
        self.email = email
        self.api_token = api_token
        self.token_ttl_seconds = token_ttl_seconds
        self.users: dict[int, dict[str, Any]] = {}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[Comment]] = {}
        self.uploads: dict[str, Upload] = {}
        self.attachments: dict[int, Attachment] = {}
        self.counters: dict[str, int] = {}
        self.seed()

    def seed(self) -> None:
        self.make_user({"name": "Local Agent", "email": self.email, "verified": True}, "admin")

    def reset(self) -> None:
        self.users.clear()
        self.tickets.clear()
        self.comments.clear()
        self.uploads.clear()
        self.attachments.clear()
        self.counters.clear()
        self.seed()

    def next_id(self, kind: str, start: int) -> int:
        self.counters[kind] = self.counters.get(kind, start) + 1
        return self.counters[kind]

    def now(self) -> datetime:
        return self.st.clock.now()

    def agent_id(self) -> int:
        return next(u["id"] for u in self.users.values() if u["email"] == self.email)

    def authorized(self, username: str | None, password: str | None) -> bool:
        return username == f"{self.email}/token" and password == self.api_token

    # ------------------------------------------------------------------ rendering

    def attachment_json(self, a: Attachment) -> dict[str, Any]:
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

    def upload_json(self, u: Upload, current: Attachment) -> dict[str, Any]:
        return {
            "token": u.token,
            "expires_at": iso_z(u.expires_at),
            "attachments": [self.attachment_json(self.attachments[i]) for i in u.attachment_ids],
            "attachment": self.attachment_json(current),
        }

    def comment_json(self, c: Comment) -> dict[str, Any]:
        return {
            "id": c.id,
            "type": "Comment",
            "author_id": c.author_id,
            "body": c.body,
            "html_body": c.html_body,
            "plain_body": c.body,
            "public": c.public,
            "attachments": [self.attachment_json(self.attachments[i]) for i in c.attachment_ids],
            "audit_id": c.audit_id,
            "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso_z(c.created_at),
            "metadata": {"system": {}, "custom": {}},
        }

    def ticket_json(self, t: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in t.items() if not k.startswith("_")}
        out["url"] = f"{base_url()}/api/v2/tickets/{t['id']}.json"
        out["fields"] = out["custom_fields"]
        return out

    def user_json(self, u: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in u.items() if not k.startswith("_")}
        out["url"] = f"{base_url()}/api/v2/users/{u['id']}.json"
        return out

    def audit_json(self, ticket: dict[str, Any], c: Comment | None) -> dict[str, Any]:
        events: list[dict[str, Any]] = []
        if c is not None:
            events.append(
                {
                    "id": c.id,
                    "type": "Comment",
                    "body": c.body,
                    "public": c.public,
                    "attachments": [
                        self.attachment_json(self.attachments[i]) for i in c.attachment_ids
                    ],
                }
            )
        return {
            "id": c.audit_id if c else self.next_id("audit", 50000000000),
            "ticket_id": ticket["id"],
            "created_at": ticket["updated_at"],
            "author_id": self.agent_id(),
            "events": events,
        }

    def attachment_record(self, a: Attachment) -> dict[str, Any]:
        """Control view of an attachment: where it landed and the hash of its bytes."""
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

    # ------------------------------------------------------------------ users

    def make_user(self, fields: dict[str, Any], role: str = "end-user") -> dict[str, Any]:
        uid = self.next_id("user", 360000000)
        t = iso_z(self.now())
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
        self.users[uid] = user
        return user

    def validate_user(self, spec: dict[str, Any], exclude: int | None) -> Response | None:
        details: dict[str, list[dict[str, str]]] = {}
        for key in ("email", "external_id"):
            value = spec.get(key)
            if value and any(
                u[key] == value and u["active"] and u["id"] != exclude for u in self.users.values()
            ):
                details[key] = [
                    {
                        "description": f"{key}: {value} is already being used by another user",
                        "error": "DuplicateValue",
                    }
                ]
        return record_invalid(details) if details else None

    def update_user_fields(self, user: dict[str, Any], spec: dict[str, Any]) -> None:
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
        user["updated_at"] = iso_z(self.now())

    # ------------------------------------------------------------------ uploads and tickets

    def token_problem(self, token: str) -> str | None:
        u = self.uploads.get(token)
        if u is None or u.deleted:
            return f"Upload token '{token}' is invalid"
        if self.now() >= u.expires_at:
            return f"Upload token '{token}' has expired"
        if u.used_in_comment is not None:
            return f"Upload token '{token}' has already been used"
        return None

    def check_uploads(self, spec: dict[str, Any] | None) -> tuple[list[Upload], Response | None]:
        if not spec:
            return [], None
        tokens = spec.get("uploads") or []
        if not isinstance(tokens, list) or not all(isinstance(x, str) for x in tokens):
            return [], record_invalid(
                {"uploads": [{"description": "Uploads must be a list", "error": "InvalidValue"}]}
            )
        problems = [p for p in (self.token_problem(tok) for tok in tokens) if p]
        if len(set(tokens)) != len(tokens):
            problems.append("The same upload token is given twice")
        if problems:
            return [], record_invalid(
                {"base": [{"description": p, "error": "InvalidValue"} for p in problems]}
            )
        return [self.uploads[tok] for tok in tokens], None

    def apply_comment(
        self, ticket: dict[str, Any], spec: dict[str, Any], uploads_ok: list[Upload]
    ) -> Comment:
        t = self.now()
        body = str(spec.get("body") or spec.get("html_body") or "")
        cid = self.next_id("comment", 40000000000)
        att_ids: list[int] = []
        for u in uploads_ok:
            u.used_in_comment = cid
            for aid in u.attachment_ids:
                self.attachments[aid].comment_id = cid
                self.attachments[aid].ticket_id = ticket["id"]
                att_ids.append(aid)
        c = Comment(
            id=cid,
            ticket_id=ticket["id"],
            author_id=int(spec.get("author_id") or self.agent_id()),
            body=body,
            html_body=spec.get("html_body")
            or f'<div class="zd-comment"><p>{html.escape(body)}</p></div>',
            public=bool(spec.get("public", True)),
            attachment_ids=att_ids,
            audit_id=self.next_id("audit", 50000000000),
            created_at=t,
            upload_tokens=[u.token for u in uploads_ok],
        )
        self.comments.setdefault(ticket["id"], []).append(c)
        ticket["updated_at"] = iso_z(t)
        return c

    def resolve_requester(self, spec: dict[str, Any]) -> int | Response:
        if spec.get("requester_id") is not None:
            rid = spec["requester_id"]
            if rid not in self.users:
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
            found = next((u for u in self.users.values() if mail and u["email"] == mail), None)
            if found is None:
                found = self.make_user(
                    {"name": req.get("name") or mail or "Unknown", "email": mail}
                )
            return int(found["id"])
        return self.agent_id()

    def apply_fields(self, ticket: dict[str, Any], spec: dict[str, Any]) -> None:
        """Store plain fields verbatim (CRM-record fields included), merge tags/custom fields."""
        for key, value in spec.items():
            if key not in SPECIAL_TICKET_KEYS:
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
