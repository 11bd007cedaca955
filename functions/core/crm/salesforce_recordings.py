"""Recordings into Salesforce: one ContentVersion per part, linked to the case
(FirstPublishLocationId), sent as the multipart "insert blob" form so a 50 MB part is
streamed, never base64-encoded in memory. Each part's marker is its Description, so a part
whose acknowledgement was lost is found by a SOQL query before it is sent again."""

from __future__ import annotations

import json
import secrets
from typing import Any

from core.crm import budget, salesforce_http
from core.crm.recording_sink import Delivery, Part
from core.crm.streams import Concat, Readable

q = salesforce_http.soql_literal


class SalesforceSink:
    name = "salesforce"
    stages_parts = False

    def __init__(self, read_timeout: float = 60.0) -> None:
        self.timeout = (3.05, read_timeout)

    def find_target(self, session_id: str) -> str | None:
        rows = (
            salesforce_http.request(
                "GET",
                "query",
                params={
                    "q": f"SELECT Id FROM Case WHERE SuppliedName = "
                    f"{q('cc-session:' + session_id)} LIMIT 1"
                },
                timeout=self.timeout,
                lane=budget.RECORDING,
            ).get("records")
            or []
        )
        return rows[0]["Id"] if rows else None

    def create_target(self, session_id: str, subject: str, body: str) -> str:
        out = salesforce_http.request(
            "POST",
            "sobjects/Case",
            json={
                "Subject": subject,
                "Description": body,
                "Origin": "Phone",
                "SuppliedName": f"cc-session:{session_id}",
            },
            timeout=self.timeout,
            lane=budget.RECORDING,
        )
        return str(out["id"])

    def send_part(self, d: Delivery, part: Part, body: Readable) -> dict[str, Any]:
        boundary = "cc" + secrets.token_hex(12)
        entity = {
            "Title": part.file_name.rsplit(".", 1)[0],
            "PathOnClient": part.file_name,
            "Description": part.marker,
            "FirstPublishLocationId": d.target,
            "ReasonForChange": d.summary[:250],
        }
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="entity_content"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(entity)}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="VersionData"; '
            f'filename="{part.file_name}"\r\nContent-Type: {d.content_type}\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        out = salesforce_http.request(
            "POST",
            "sobjects/ContentVersion",
            data=Concat([head, (body, part.size), tail]),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            timeout=self.timeout,
            lane=budget.RECORDING,
        )
        return {"id": out.get("id")}

    def receipt_usable(self, receipt: dict[str, Any], now: float) -> bool:
        return bool(receipt.get("id"))

    def find_part(self, d: Delivery, part: Part) -> dict[str, Any] | None:
        rows = (
            salesforce_http.request(
                "GET",
                "query",
                params={
                    "q": f"SELECT Id FROM ContentVersion WHERE "
                    f"FirstPublishLocationId = {q(d.target)} AND "
                    f"Description = {q(part.marker)} LIMIT 1"
                },
                timeout=self.timeout,
                lane=budget.RECORDING,
            ).get("records")
            or []
        )
        return {"id": rows[0]["Id"]} if rows else None

    def commit(self, d: Delivery, receipts: list[dict[str, Any]]) -> dict[str, Any]:
        return {"content_versions": [r.get("id") for r in receipts]}

    def find_commit(self, d: Delivery) -> dict[str, Any] | None:
        return None  # nothing to commit: every part was confirmed as it was sent
