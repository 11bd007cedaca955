"""`POST /services/Soap/u/<version>` [soap]: the partner API's merge() of Contacts, Leads
and Accounts (the one call REST lacks). The victims are deleted (reading one answers 404
ENTITY_IS_DELETED) and records that pointed at them are re-parented to the master."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Blueprint, Response, request

from emulators.standins.common import faultable
from emulators.standins.salesforce_standin.state import state
from emulators.standins.salesforce_standin.wire import (
    MERGEABLE,
    PARTNER,
    SOAP_ENV,
    SOBJECT,
    id_key,
    soap_fault,
)

bp = Blueprint("salesforce_soap", __name__)


@bp.post("/services/Soap/u/<version>")
@faultable("soap")
def soap(version: str) -> Response:
    """The partner API's merge(); any other operation is refused as unsupported."""
    s = state()
    try:
        root = ET.fromstring(request.get_data())
    except ET.ParseError:
        return soap_fault("INVALID_XML", "the request is not well-formed XML")
    sid = root.findtext(f".//{{{PARTNER}}}SessionHeader/{{{PARTNER}}}sessionId") or ""
    with s.lock:
        known = sid.strip() in s.tokens
    if not known:
        return soap_fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    op = body[0] if body is not None and len(body) else None
    if op is None or op.tag != f"{{{PARTNER}}}merge":
        return soap_fault("UNKNOWN_EXCEPTION", "only merge() is supported by this stand-in")
    results = []
    for req in op.findall(f"{{{PARTNER}}}request"):
        master = req.find(f"{{{PARTNER}}}masterRecord")
        kind = master.findtext(f"{{{SOBJECT}}}type") if master is not None else None
        master_id = master.findtext(f"{{{SOBJECT}}}Id") if master is not None else None
        victims = [v.text or "" for v in req.findall(f"{{{PARTNER}}}recordToMergeIds")]
        results.append(merge_one(kind, master_id, victims))
    xml = "".join(results)
    return Response(
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
        f'xmlns="{PARTNER}"><soapenv:Body><mergeResponse>{xml}</mergeResponse>'
        "</soapenv:Body></soapenv:Envelope>",
        status=200,
        content_type="text/xml; charset=utf-8",
    )


def merge_one(kind: str | None, master_id: str | None, victims: list[str]) -> str:
    s = state()

    def failed(code: str, message: str) -> str:
        return (
            f"<result><errors><message>{message}</message><statusCode>{code}</statusCode>"
            '</errors><id xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
            "<success>false</success></result>"
        )

    if kind not in MERGEABLE:
        return failed("INVALID_TYPE", f"merge is not supported for {kind}")
    if not master_id or not victims or len(victims) > 2:
        return failed("INVALID_ARGUMENT", "a master and one or two records to merge")
    with s.lock:
        table = s.records.get(kind, {})
        master = table.get(id_key(master_id))
        if master is None:
            return failed("INVALID_CROSS_REFERENCE_KEY", "invalid master record id")
        for v in victims:
            if id_key(v) == id_key(master_id):
                return failed("INVALID_ARGUMENT", "a record cannot merge into itself")
            if id_key(v) not in table:
                gone = id_key(v) in s.deleted.get(kind, {})
                code = "ENTITY_IS_DELETED" if gone else "INVALID_CROSS_REFERENCE_KEY"
                return failed(code, "a record to merge is deleted or unknown")
        moved: list[str] = []
        for v in victims:
            for rows in s.records.values():
                for rec in rows.values():
                    for f, val in list(rec.items()):
                        if (
                            f.endswith("Id")
                            and f != "Id"
                            and isinstance(val, str)
                            and id_key(val) == id_key(v)
                        ):
                            rec[f] = master["Id"]
                            rec["LastModifiedDate"] = s.now_iso()
                            moved.append(rec["Id"])
            victim = table.pop(id_key(v))
            victim |= {"IsDeleted": True, "MasterRecordId": master["Id"]}
            s.deleted.setdefault(kind, {})[id_key(v)] = victim
        master["LastModifiedDate"] = s.now_iso()
    merged = "".join(f"<mergedRecordIds>{v}</mergedRecordIds>" for v in victims)
    related = "".join(f"<updatedRelatedIds>{r}</updatedRelatedIds>" for r in moved)
    return f"<result><id>{master['Id']}</id>{merged}<success>true</success>{related}</result>"
