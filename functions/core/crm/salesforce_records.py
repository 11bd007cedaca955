"""Customer records in Salesforce: Contacts upserted by an external id field, merged with
the partner API's merge() (REST has no merge), a Case per session and per voicemail, the
profile flags as Case fields and notes as CaseComments.

The org needs these custom fields (docs/crm.md): Contact.CC_External_Id__c (text, External
ID, unique), Contact.CC_Tags__c (text), and the checkboxes Case.CC_Verified_Customer__c,
Case.CC_Bad_Actor__c, Case.CC_Repeat_Customer__c.

Every write is safe to repeat: a Contact is upserted on its external id, a Case carries
our key in SuppliedName (`cc-session:<id>`, as recording delivery finds it, or
`voicemail:<id>`) and is looked up before one is created, a voicemail's file carries the
same key in its Description and is looked up before it is uploaded.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from core.crm import salesforce_http
from core.crm.errors import Permanent
from core.crm.records import CrmId

EXTERNAL_ID = "CC_External_Id__c"
TAGS = "CC_Tags__c"
FLAG_FIELDS = {
    "verified_customer": "CC_Verified_Customer__c",
    "bad_actor": "CC_Bad_Actor__c",
    "repeat_customer": "CC_Repeat_Customer__c",
}
SESSION_KEY = "cc-session:"  # Case.SuppliedName; core/crm/salesforce_recordings.py too

q = salesforce_http.soql_literal


def _rows(soql: str) -> list[dict[str, Any]]:
    return salesforce_http.request("GET", "query", params={"q": soql}).get("records") or []


def _case_by_key(key: str) -> dict[str, Any] | None:
    rows = _rows(f"SELECT Id, ContactId FROM Case WHERE SuppliedName = {q(key)} LIMIT 1")
    return rows[0] if rows else None


class SalesforceRecords:
    name = "salesforce"

    def upsert_contact(
        self,
        external_id: str,
        name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        tags: list[str] | None = None,
    ) -> dict[str, Any]:
        """PATCH sobjects/Contact/<external id field>/<value>: created (201) or updated."""
        fields: dict[str, Any] = {"LastName": name[:80]}
        if email:
            fields["Email"] = email
        if phone:
            fields["Phone"] = phone
        if tags is not None:
            fields[TAGS] = ";".join(tags)
        out = salesforce_http.request(
            "PATCH",
            f"sobjects/Contact/{EXTERNAL_ID}/{quote(external_id, safe='')}",
            json=fields,
        )
        return {"id": out["id"], "external_id": external_id, "name": name, "active": True}

    def find_contact(self, external_id: str) -> dict[str, Any] | None:
        rows = _rows(f"SELECT Id FROM Contact WHERE {EXTERNAL_ID} = {q(external_id)} LIMIT 1")
        return {"id": rows[0]["Id"], "external_id": external_id, "active": True} if rows else None

    def get_contact(self, contact_id: CrmId) -> dict[str, Any] | None:
        """The contact; a merged-away one is deleted (404 ENTITY_IS_DELETED): None."""
        try:
            rec = salesforce_http.request(
                "GET", f"sobjects/Contact/{quote(str(contact_id), safe='')}"
            )
        except Permanent as exc:
            if exc.status == 404:
                return None
            raise
        return {"id": rec["Id"], "external_id": rec.get(EXTERNAL_ID), "active": True}

    def merge_contacts(self, source_id: CrmId, target_id: CrmId) -> None:
        """merge(): `target_id` stays (masterRecord), `source_id` is deleted and its cases
        are re-parented to the target."""
        x = salesforce_http.xml_text
        result = salesforce_http.soap(
            "merge",
            "<urn:request>"
            "<urn:masterRecord><urn1:type>Contact</urn1:type>"
            f"<urn1:Id>{x(str(target_id))}</urn1:Id></urn:masterRecord>"
            f"<urn:recordToMergeIds>{x(str(source_id))}</urn:recordToMergeIds>"
            "</urn:request>",
        )
        p = salesforce_http.PARTNER
        if result.findtext(f"{{{p}}}success") != "true":
            code = result.findtext(f"{{{p}}}errors/{{{p}}}statusCode") or "merge failed"
            raise Permanent(400, f"merge: {code}")

    def requested_tickets(self, contact_id: CrmId) -> list[dict[str, Any]]:
        rows = _rows(f"SELECT Id, SuppliedName FROM Case WHERE ContactId = {q(str(contact_id))}")
        return [
            {"id": r["Id"], "external_id": str(r.get("SuppliedName") or "")[len(SESSION_KEY) :]}
            for r in rows
        ]

    def ensure_session_ticket(
        self, session_id: str, requester_id: CrmId, subject: str, body: str
    ) -> dict[str, Any]:
        """The session's Case: found by its key (recording delivery may have opened it, then
        without a contact), else created."""
        key = SESSION_KEY + session_id
        found = _case_by_key(key)
        if found is not None:
            if not found.get("ContactId"):
                salesforce_http.request(
                    "PATCH", f"sobjects/Case/{found['Id']}", json={"ContactId": requester_id}
                )
            return {"id": found["Id"]}
        out = salesforce_http.request(
            "POST",
            "sobjects/Case",
            json={
                "Subject": subject[:255],
                "Description": body,
                "Origin": "Phone" if subject.startswith("Call") else "Chat",
                "SuppliedName": key,
                "ContactId": requester_id,
            },
        )
        return {"id": out["id"]}

    def write_flags(self, ticket_id: CrmId, profile: dict[str, Any], note: str | None) -> None:
        salesforce_http.request(
            "PATCH",
            f"sobjects/Case/{quote(str(ticket_id), safe='')}",
            json={field: bool(profile.get(f)) for f, field in FLAG_FIELDS.items()},
        )
        if note:
            self.add_note(ticket_id, note)

    def add_note(self, ticket_id: CrmId, note: str) -> None:
        salesforce_http.request(
            "POST",
            "sobjects/CaseComment",
            json={"ParentId": ticket_id, "CommentBody": note, "IsPublished": False},
        )

    def ticket_url(self, ticket_id: CrmId) -> str:
        from core.settings import settings

        base = settings().salesforce_base_url.rstrip("/")
        return f"{base}/lightning/r/Case/{quote(str(ticket_id))}/view"

    def ensure_voicemail_ticket(
        self,
        external_id: str,
        subject: str,
        body: str,
        audio: Callable[[], bytes],
        filename: str,
        content_type: str,
    ) -> CrmId:
        """The voicemail's Case (by its key), then its audio as a ContentVersion published
        to the Case (by the same key in Description): each step is looked up first."""
        found = _case_by_key(external_id)
        if found is not None:
            case_id = found["Id"]
        else:
            case_id = salesforce_http.request(
                "POST",
                "sobjects/Case",
                json={
                    "Subject": subject[:255],
                    "Description": body,
                    "Origin": "Phone",
                    "SuppliedName": external_id,
                },
            )["id"]
        attached = _rows(
            f"SELECT Id FROM ContentVersion WHERE FirstPublishLocationId = {q(case_id)} "
            f"AND Description = {q(external_id)} LIMIT 1"
        )
        if not attached:
            # A voicemail is small (minutes of 8 kHz audio): the JSON form with base64.
            salesforce_http.request(
                "POST",
                "sobjects/ContentVersion",
                json={
                    "Title": filename.rsplit(".", 1)[0],
                    "PathOnClient": filename,
                    "Description": external_id,
                    "FirstPublishLocationId": case_id,
                    "VersionData": base64.b64encode(audio()).decode(),
                },
            )
        return str(case_id)
