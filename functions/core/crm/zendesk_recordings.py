"""Recordings into Zendesk: uploads API -> upload tokens -> one ticket comment carrying
every token in part order. Tokens expire (60 min), so a receipt carries `expires_at`.

Exactly once: the comment body carries the recording's marker; before re-sending a
comment whose answer was lost, the ticket's comments are searched for it. A token can be
used in one comment only, so Zendesk itself refuses a second comment with the same tokens.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from core.crm import budget, zendesk_http
from core.crm.errors import Permanent
from core.crm.recording_sink import Delivery, Part
from core.crm.streams import Readable

# Margin before a token's expiry under which we upload again rather than risk a 422.
TOKEN_MARGIN_SECONDS = 300.0


def _epoch(iso: str | None, fallback: float) -> float:
    if not iso:
        return fallback
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return fallback


class ZendeskSink:
    name = "zendesk"
    stages_parts = True

    def __init__(self, read_timeout: float = 60.0) -> None:
        self.timeout = (3.05, read_timeout)

    def find_target(self, session_id: str) -> str | None:
        body = zendesk_http.send(
            "GET",
            "/api/v2/tickets.json",
            params={"external_id": session_id},
            timeout=self.timeout,
            lane=budget.RECORDING,
        )
        tickets = body.get("tickets") or []
        return str(tickets[0]["id"]) if tickets else None

    def create_target(self, session_id: str, subject: str, body: str) -> str:
        ticket = {
            "subject": subject,
            "external_id": session_id,
            "comment": {"body": body, "public": False},
        }
        out = zendesk_http.send(
            "POST",
            "/api/v2/tickets.json",
            data=json.dumps({"ticket": ticket}),
            headers={"Content-Type": "application/json"},
            timeout=self.timeout,
            lane=budget.RECORDING,
        )
        return str(out["ticket"]["id"])

    def send_part(self, d: Delivery, part: Part, body: Readable) -> dict[str, Any]:
        sent_at = time.time()
        out = zendesk_http.send(
            "POST",
            "/api/v2/uploads.json",
            data=body,
            params={"filename": part.file_name},
            headers={"Content-Type": d.content_type},
            timeout=self.timeout,
            lane=budget.RECORDING,
        )
        upload = out.get("upload") or {}
        token = upload.get("token")
        if not token:
            raise Permanent(502, "upload answer without a token")
        # Our clock, not Zendesk's: the margin absorbs the skew; a token Zendesk already
        # considers expired is caught by the 422 on commit and uploaded again.
        expires = min(_epoch(upload.get("expires_at"), sent_at + 3600), sent_at + 3600)
        return {
            "token": token,
            "expires_at": expires,
            "attachment_id": (upload.get("attachment") or {}).get("id"),
        }

    def receipt_usable(self, receipt: dict[str, Any], now: float) -> bool:
        return (
            bool(receipt.get("token"))
            and float(receipt.get("expires_at", 0)) - TOKEN_MARGIN_SECONDS > now
        )

    def find_part(self, d: Delivery, part: Part) -> dict[str, Any] | None:
        return None  # an upload is invisible until a comment uses it

    def commit(self, d: Delivery, receipts: list[dict[str, Any]]) -> dict[str, Any]:
        comment = {
            "body": f"{d.summary}\n[{d.marker}]",
            "public": False,
            "uploads": [r["token"] for r in receipts],
        }
        out = zendesk_http.send(
            "PUT",
            f"/api/v2/tickets/{int(d.target)}.json",
            data=json.dumps({"ticket": {"comment": comment}}),
            headers={"Content-Type": "application/json"},
            timeout=self.timeout,
            lane=budget.RECORDING,
        )
        audit = out.get("audit") or {}
        return {"audit_id": audit.get("id")}

    def find_commit(self, d: Delivery) -> dict[str, Any] | None:
        tag = f"[{d.marker}]"
        path: str | None = f"/api/v2/tickets/{int(d.target)}/comments.json"
        while path:
            page = zendesk_http.send("GET", path, timeout=self.timeout, lane=budget.RECORDING)
            for c in page.get("comments") or []:
                if tag in str(c.get("body") or ""):
                    return {
                        "comment_id": c.get("id"),
                        "attachments": [a.get("file_name") for a in c.get("attachments") or []],
                    }
            nxt = page.get("next_page")
            path = (
                (urlsplit(nxt).path + ("?" + urlsplit(nxt).query if urlsplit(nxt).query else ""))
                if nxt
                else None
            )
        return None
