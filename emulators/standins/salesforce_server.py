"""Local stand-in for the Salesforce REST API (OAuth token, sObjects, ContentVersion, SOQL)
and the one SOAP partner call REST lacks, merge().

Enough of Salesforce for our CRM client: an OAuth token endpoint whose instance_url is
this server, ContentVersion inserts both as JSON (base64 VersionData) and as the
multipart "Insert or Update Blob Data" form (streamed to disk, never held in memory),
a SOQL subset (SELECT fields FROM Obj WHERE a = 'x' AND ... ORDER BY ... LIMIT n),
generic sObject create/read/update/delete, upsert by an external id field
(PATCH sobjects/<type>/<field>/<value>: 201 created / 200 updated, 300 when it matches
several), merge() of Contacts, Leads and Accounts over SOAP (the victim is deleted, its
related records re-parented; reading it then answers 404 ENTITY_IS_DELETED), and
Salesforce's error shapes.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from emulators.standins.common import (
    CHUNK,
    BlobWriter,
    Fault,
    ServerHandle,
    Standin,
    StoredBlob,
    drain_request_body,
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

DEFAULT_CLIENT_ID = "local-client"
DEFAULT_CLIENT_SECRET = "local-secret"
DEFAULT_PORT = 8182
JSON_BODY_LIMIT = 64 * 1024 * 1024
ENTITY_PART_LIMIT = 1024 * 1024
KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Task": "00T",
    "Case": "500",
    "CaseComment": "00a",
    "ContentVersion": "068",
    "ContentDocument": "069",
    "ContentDocumentLink": "06A",
}
CONTENT_VERSION_FIELDS = {
    "Id",
    "Title",
    "PathOnClient",
    "Description",
    "FirstPublishLocationId",
    "ContentDocumentId",
    "ContentSize",
    "Checksum",
    "FileExtension",
    "FileType",
    "VersionNumber",
    "IsLatest",
    "ContentLocation",
    "ReasonForChange",
    "CreatedDate",
    "LastModifiedDate",
    "VersionData",
}
WRITABLE_CONTENT_VERSION_FIELDS = {
    "Title",
    "PathOnClient",
    "Description",
    "FirstPublishLocationId",
    "ContentLocation",
    "ReasonForChange",
    "ContentDocumentId",
    "VersionData",
}
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "urn:partner.soap.sforce.com"
SOBJECT = "urn:sobject.partner.soap.sforce.com"
MERGEABLE = ("Contact", "Lead", "Account")


# --------------------------------------------------------------------------- ids & errors


def sf_id(prefix: str, n: int) -> str:
    """An 18-character Salesforce id with the real case-safety suffix."""
    digits = ""
    while n:
        n, r = divmod(n, 62)
        digits = _B62[r] + digits
    base = (prefix + "5g" + digits.rjust(10, "0"))[:15]
    suffix = ""
    for i in range(3):
        flags = sum(1 << j for j, ch in enumerate(base[i * 5 : i * 5 + 5]) if ch.isupper())
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[flags]
    return base + suffix


def id_key(value: str) -> str:
    """Salesforce treats the 15- and 18-char forms of an id as equal."""
    return value[:15] if len(value) in (15, 18) else value


def sf_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """Salesforce's REST error shape: a JSON list of {message, errorCode}."""
    return json_error(status, [{"message": message, "errorCode": code}], headers)


def soap_fault(code: str, message: str) -> Response:
    """A SOAP fault as the partner API sends it: HTTP 500, faultcode `sf:<code>`."""
    esc = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
    text = "".join(esc.get(c, c) for c in message)
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {text}</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, status=500, content_type="text/xml; charset=utf-8")


def _fault_error(status: int, fault: Fault | None) -> Response:
    headers = retry_after_headers(fault)
    if status in (403, 429):
        return sf_error(status, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", headers)
    if status == 503:
        return sf_error(status, "SERVER_UNAVAILABLE", "Server temporarily unavailable", headers)
    if status == 401:
        return sf_error(status, "INVALID_SESSION_ID", "Session expired or invalid", headers)
    if status >= 500:
        return sf_error(status, "UNKNOWN_EXCEPTION", "An unexpected error occurred.", headers)
    return sf_error(status, "INJECTED_FAULT", f"HTTP {status}", headers)


def not_found() -> Response:
    return sf_error(404, "NOT_FOUND", "The requested resource does not exist")


# --------------------------------------------------------------------------- SOQL subset

_SOQL_RE = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+(?P<dir>ASC|DESC))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_VALUE = r"'(?:[^'\\]|\\.)*'|[\w.+-]+"
_COND_RE = re.compile(
    rf"^\s*(?P<field>\w+)\s*(?P<op>=|!=|IN)\s*(?P<value>{_VALUE}|\((?:\s*(?:{_VALUE})\s*,?)+\))\s*$",
    re.IGNORECASE,
)


class SoqlError(ValueError):
    """A query outside the supported subset."""


def _literal(token: str) -> Any:
    token = token.strip()
    if token.startswith("'"):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    low = token.lower()
    if low == "null":
        return None
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(token)
    except ValueError:
        try:
            return float(token)
        except ValueError:
            return token


@dataclass
class Query:
    fields: list[str]
    obj: str
    conditions: list[tuple[str, str, Any]]
    order: str | None
    descending: bool
    limit: int | None


def parse_soql(q: str) -> Query:
    """Parse the supported SOQL subset or raise SoqlError."""
    m = _SOQL_RE.match(q)
    if not m:
        raise SoqlError("unexpected token: query not understood")
    fields = [f.strip() for f in m.group("fields").split(",") if f.strip()]
    conditions: list[tuple[str, str, Any]] = []
    if m.group("where"):
        parts = re.split(r"\s+AND\s+(?=(?:[^']*'[^']*')*[^']*$)", m.group("where"), flags=re.I)
        for part in parts:
            c = _COND_RE.match(part)
            if not c:
                raise SoqlError(f"unexpected token in WHERE: {part.strip()!r}")
            op = c.group("op").upper()
            raw = c.group("value")
            value: Any = (
                [_literal(v) for v in re.findall(_VALUE, raw[1:-1])]
                if op == "IN"
                else _literal(raw)
            )
            conditions.append((c.group("field"), op, value))
    return Query(
        fields=fields,
        obj=m.group("obj"),
        conditions=conditions,
        order=m.group("order"),
        descending=(m.group("dir") or "").upper() == "DESC",
        limit=int(m.group("limit")) if m.group("limit") else None,
    )


def _field_equals(field: str, stored: Any, wanted: Any) -> bool:
    if field.endswith("Id") or field == "Id":
        if isinstance(stored, str) and isinstance(wanted, str):
            return id_key(stored) == id_key(wanted)
    return bool(stored == wanted)


# --------------------------------------------------------------------------- multipart


class MultipartProblem(ValueError):
    """The multipart body is not the Insert-Blob shape."""


def read_blob_multipart(
    boundary: str, writer_factory: Callable[[], BlobWriter]
) -> tuple[dict[str, Any], StoredBlob, str | None]:
    """Stream an entity_* JSON part + a VersionData part; the binary goes straight to disk."""
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    entity_buf: bytearray | None = None
    entity: dict[str, Any] | None = None
    writer: BlobWriter | None = None
    blob: StoredBlob | None = None
    filename: str | None = None
    current: str | None = None
    stream = request.stream
    done = False
    try:
        while not done:
            chunk = stream.read(CHUNK)
            decoder.receive_data(chunk if chunk else None)
            while True:
                event = decoder.next_event()
                if isinstance(event, NeedData):
                    break
                if isinstance(event, Epilogue):
                    done = True
                    break
                if isinstance(event, Field | File):
                    name = event.name or ""
                    if name.startswith("entity_"):
                        current, entity_buf = "entity", bytearray()
                    elif name == "VersionData":
                        current, writer = "blob", writer_factory()
                        filename = event.filename if isinstance(event, File) else None
                    else:
                        current = "ignore"
                elif isinstance(event, Data):
                    if current == "entity" and entity_buf is not None:
                        entity_buf += event.data
                        if len(entity_buf) > ENTITY_PART_LIMIT:
                            raise MultipartProblem("entity part too large")
                        if not event.more_data:
                            entity = json.loads(bytes(entity_buf))
                    elif current == "blob" and writer is not None:
                        writer.write(event.data)
                        if not event.more_data:
                            blob = writer.finish()
                            writer = None
            if not chunk:
                done = True
    except (ValueError, UnicodeDecodeError) as exc:
        if writer is not None:
            writer.abort()
        drain_request_body()
        if isinstance(exc, MultipartProblem):
            raise
        raise MultipartProblem(f"malformed multipart body: {exc}") from exc
    if writer is not None:
        writer.abort()
        raise MultipartProblem("VersionData part is truncated")
    if not isinstance(entity, dict):
        raise MultipartProblem("missing entity_content JSON part")
    if blob is None:
        raise MultipartProblem("missing VersionData part")
    return entity, blob, filename


# --------------------------------------------------------------------------- the app


def create_app(
    client_id: str | None = None,
    client_secret: str | None = None,
    username: str | None = None,
    password: str | None = None,
    lenient_ids: bool = False,
) -> Flask:
    """Build the Salesforce stand-in. Credentials default to SALESFORCE_CLIENT_ID/SECRET.

    `lenient_ids`: PATCH on an unknown id creates the record instead of answering 404.
    """
    client_id = client_id or env("SALESFORCE_CLIENT_ID", DEFAULT_CLIENT_ID)
    client_secret = client_secret or env("SALESFORCE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    username = username or env("SALESFORCE_USERNAME", "") or None
    password = password or env("SALESFORCE_PASSWORD", "") or None

    app = Flask("salesforce_standin")
    st: Standin = install(app, _fault_error, limit_status=403)
    lock = st.lock
    org_id = "00D5g000000LocAL"
    user_id = "0055g000000LocAL"

    tokens: set[str] = set()
    records: dict[str, dict[str, dict[str, Any]]] = {}  # type -> id15 -> fields
    deleted: dict[str, dict[str, dict[str, Any]]] = {}  # merged away: type -> id15 -> fields
    blobs: dict[str, StoredBlob] = {}  # ContentVersion id15 -> blob
    counter = {"n": 0}

    def _reset() -> None:
        tokens.clear()
        records.clear()
        deleted.clear()
        blobs.clear()
        counter["n"] = 0

    st.on_reset(_reset)

    def new_id(sobject: str) -> str:
        counter["n"] += 1
        return sf_id(KEY_PREFIXES.get(sobject, "a00"), counter["n"])

    def now_iso() -> str:
        return iso_z(st.clock.now()).replace("Z", ".000+0000")

    def base_url() -> str:
        return request.url_root.rstrip("/")

    def store(sobject: str, fields: dict[str, Any], rid: str | None = None) -> dict[str, Any]:
        rid = rid or new_id(sobject)
        t = now_iso()
        rec = {"Id": rid, "CreatedDate": t, "LastModifiedDate": t, **fields}
        records.setdefault(sobject, {})[id_key(rid)] = rec
        return rec

    def record_json(sobject: str, rec: dict[str, Any], version: str) -> dict[str, Any]:
        out = {
            "attributes": {
                "type": sobject,
                "url": f"/services/data/{version}/sobjects/{sobject}/{rec['Id']}",
            }
        }
        out.update({k: v for k, v in rec.items() if not k.startswith("_")})
        return out

    # ------------------------------------------------------------------ auth

    @app.before_request
    def _auth() -> Response | None:
        if not request.path.startswith("/services/data/") or request.path == "/services/data/":
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, tok = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or tok.strip() not in tokens:
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return None

    @app.post("/services/oauth2/token")
    @faultable("oauth")
    def oauth_token() -> Response:
        form = request.form
        grant = form.get("grant_type")
        if grant not in ("client_credentials", "password"):
            return json_error(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )
        if form.get("client_id") != client_id or form.get("client_secret") != client_secret:
            creds = request.authorization
            if not (creds and creds.username == client_id and creds.password == client_secret):
                return json_error(
                    400,
                    {"error": "invalid_client", "error_description": "invalid client credentials"},
                )
        if grant == "password":
            user_ok = (username is None or form.get("username") == username) and (
                password is None or form.get("password") == password
            )
            if not form.get("username") or not user_ok:
                return json_error(
                    400, {"error": "invalid_grant", "error_description": "authentication failure"}
                )
        token = f"{org_id}!{secrets.token_urlsafe(48)}"
        with lock:
            tokens.add(token)
        issued = str(int(st.clock.timestamp() * 1000))
        return jsonify(
            {
                "access_token": token,
                "instance_url": base_url(),
                "id": f"{base_url()}/id/{org_id}/{user_id}",
                "token_type": "Bearer",
                "issued_at": issued,
                "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
                "scope": "api",
            }
        )

    @app.get("/services/data/")
    def versions() -> Response:
        return jsonify([{"label": "Spring '24", "url": "/services/data/v60.0", "version": "60.0"}])

    def check_version(version: str) -> Response | None:
        if not re.fullmatch(r"v\d+\.\d", version):
            return not_found()
        return None

    # ------------------------------------------------------------------ ContentVersion

    def insert_content_version(
        version: str, entity: dict[str, Any], blob: StoredBlob, filename: str | None
    ) -> Response:
        unknown = set(entity) - WRITABLE_CONTENT_VERSION_FIELDS
        if unknown:
            field = sorted(unknown)[0]
            return sf_error(
                400,
                "INVALID_FIELD",
                f"No such column '{field}' on sobject of type ContentVersion",
            )
        path = entity.get("PathOnClient") or filename
        if not path:
            return sf_error(
                400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [PathOnClient]"
            )
        title = entity.get("Title") or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        with lock:
            doc_id = entity.get("ContentDocumentId")
            if doc_id:
                doc = records.get("ContentDocument", {}).get(id_key(doc_id))
                if doc is None:
                    return sf_error(
                        400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"
                    )
                for old in records.get("ContentVersion", {}).values():
                    if id_key(old["ContentDocumentId"]) == id_key(doc_id):
                        old["IsLatest"] = False
                version_number = (
                    sum(
                        1
                        for v in records.get("ContentVersion", {}).values()
                        if id_key(v["ContentDocumentId"]) == id_key(doc_id)
                    )
                    + 1
                )
            else:
                doc = store("ContentDocument", {"Title": title, "FileExtension": ext})
                doc_id = doc["Id"]
                version_number = 1
            cv_id = new_id("ContentVersion")
            cv_url = f"/services/data/{version}/sobjects/ContentVersion/{cv_id}"
            fields = {
                "Title": title,
                "PathOnClient": path,
                "Description": entity.get("Description"),
                "FirstPublishLocationId": entity.get("FirstPublishLocationId"),
                "ContentDocumentId": doc_id,
                "ContentSize": blob.size,
                "Checksum": blob.md5,
                "FileExtension": ext,
                "FileType": ext.upper() or "UNKNOWN",
                "VersionNumber": str(version_number),
                "IsLatest": True,
                "ContentLocation": entity.get("ContentLocation", "S"),
                "ReasonForChange": entity.get("ReasonForChange"),
                "VersionData": f"{cv_url}/VersionData",
                "_sha256": blob.sha256,
            }
            store("ContentVersion", fields, cv_id)
            blobs[id_key(cv_id)] = blob
            doc.update(
                LatestPublishedVersionId=cv_id,
                ContentSize=blob.size,
                Title=title,
                FileExtension=ext,
            )
            if entity.get("FirstPublishLocationId") and version_number == 1:
                store(
                    "ContentDocumentLink",
                    {
                        "ContentDocumentId": doc_id,
                        "LinkedEntityId": entity["FirstPublishLocationId"],
                        "ShareType": "V",
                        "Visibility": "AllUsers",
                    },
                )
        resp = jsonify({"id": cv_id, "success": True, "errors": []})
        resp.status_code = 201
        resp.headers["Location"] = f"/services/data/{version}/sobjects/ContentVersion/{cv_id}"
        return resp

    @app.post("/services/data/<version>/sobjects/ContentVersion")
    @app.post("/services/data/<version>/sobjects/ContentVersion/")
    @faultable("content_versions")
    def create_content_version(version: str) -> Response:
        if (bad := check_version(version)) is not None:
            drain_request_body()
            return bad
        ctype, options = parse_options_header(request.headers.get("Content-Type", ""))
        if ctype.startswith("multipart/"):
            boundary = options.get("boundary")
            if not boundary:
                drain_request_body()
                return sf_error(400, "MALFORMED_REQUEST", "multipart boundary missing")
            try:
                entity, blob, filename = read_blob_multipart(boundary, st.blobs.writer)
            except MultipartProblem as exc:
                return sf_error(400, "MALFORMED_REQUEST", str(exc))
            return insert_content_version(version, entity, blob, filename)
        if (request.content_length or 0) > JSON_BODY_LIMIT:
            drain_request_body()
            return sf_error(413, "JSON_PARSER_ERROR", "Request body too large; use multipart")
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
        data = body.get("VersionData")
        if not isinstance(data, str):
            return sf_error(
                400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [VersionData]"
            )
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            return sf_error(400, "INVALID_FIELD", "VersionData is not valid base64")
        entity = {k: v for k, v in body.items() if k != "VersionData"}
        return insert_content_version(version, entity, st.blobs.save_bytes(raw), None)

    # ------------------------------------------------------------------ sObjects

    @app.post("/services/data/<version>/sobjects/<sobject>")
    @app.post("/services/data/<version>/sobjects/<sobject>/")
    @faultable("sobjects")
    def create_sobject(version: str, sobject: str) -> Response:
        if (bad := check_version(version)) is not None:
            return bad
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
        if "Id" in body:
            return sf_error(
                400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Id"
            )
        with lock:
            rec = store(sobject, body)
        resp = jsonify({"id": rec["Id"], "success": True, "errors": []})
        resp.status_code = 201
        return resp

    @app.get("/services/data/<version>/sobjects/<sobject>/<rid>")
    @faultable("sobjects")
    def get_sobject(version: str, sobject: str, rid: str) -> Response:
        if (bad := check_version(version)) is not None:
            return bad
        with lock:
            rec = records.get(sobject, {}).get(id_key(rid))
            if rec is None:
                if id_key(rid) in deleted.get(sobject, {}):
                    return sf_error(404, "ENTITY_IS_DELETED", "entity is deleted")
                return not_found()
            out = record_json(sobject, rec, version)
        wanted = request.args.get("fields")
        if wanted:
            keep = {f.strip() for f in wanted.split(",")} | {"attributes"}
            out = {k: v for k, v in out.items() if k in keep}
        return jsonify(out)

    @app.patch("/services/data/<version>/sobjects/<sobject>/<rid>")
    @faultable("sobjects")
    def update_sobject(version: str, sobject: str, rid: str) -> Response:
        if (bad := check_version(version)) is not None:
            return bad
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
        if "Id" in body:
            return sf_error(
                400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Id"
            )
        with lock:
            rec = records.get(sobject, {}).get(id_key(rid))
            if rec is None:
                if not lenient_ids:
                    return not_found()
                rec = store(sobject, {}, rid)
            rec.update(body)
            rec["LastModifiedDate"] = now_iso()
        return Response(status=204)

    @app.delete("/services/data/<version>/sobjects/<sobject>/<rid>")
    @faultable("sobjects")
    def delete_sobject(version: str, sobject: str, rid: str) -> Response:
        if (bad := check_version(version)) is not None:
            return bad
        with lock:
            rec = records.get(sobject, {}).pop(id_key(rid), None)
            if rec is None:
                return not_found()
            if sobject == "ContentDocument":
                for kind in ("ContentVersion", "ContentDocumentLink"):
                    table = records.get(kind, {})
                    for key in [
                        k for k, v in table.items() if id_key(v["ContentDocumentId"]) == id_key(rid)
                    ]:
                        table.pop(key)
                        blobs.pop(key, None)
        return Response(status=204)

    @app.get("/services/data/<version>/sobjects/ContentVersion/<rid>/VersionData")
    @faultable("content_versions")
    def version_data(version: str, rid: str) -> Response:
        with lock:
            blob = blobs.get(id_key(rid))
        if blob is None:
            return not_found()
        return ranged_response(blob.size, file_producer(blob.path), "application/octet-stream")

    # ------------------------------------------------------------------ upsert

    @app.patch("/services/data/<version>/sobjects/<sobject>/<field>/<value>")
    @faultable("sobjects")
    def upsert_sobject(version: str, sobject: str, field: str, value: str) -> Response:
        """sObject Rows by External ID: 201 {created: true} or 200 {created: false}."""
        if (bad := check_version(version)) is not None:
            return bad
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            return sf_error(400, "JSON_PARSER_ERROR", "Body must be a JSON object")
        if "Id" in body or field in body:
            return sf_error(
                400,
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {'Id' if 'Id' in body else field}",
            )
        with lock:
            table = records.get(sobject, {})
            matches = [r for r in table.values() if str(r.get(field, "")).lower() == value.lower()]
            if len(matches) > 1:
                urls = [f"/services/data/{version}/sobjects/{sobject}/{r['Id']}" for r in matches]
                return json_error(300, urls)
            if matches:
                rec = matches[0]
                rec.update(body)
                rec["LastModifiedDate"] = now_iso()
                out, status = (
                    {"id": rec["Id"], "success": True, "errors": [], "created": False},
                    200,
                )
            else:
                rec = store(sobject, {**body, field: value})
                out, status = {"id": rec["Id"], "success": True, "errors": [], "created": True}, 201
        resp = jsonify(out)
        resp.status_code = status
        return resp

    # ------------------------------------------------------------------ SOAP merge()

    @app.post("/services/Soap/u/<version>")
    @faultable("soap")
    def soap(version: str) -> Response:
        """The partner API's merge(); any other operation is refused as unsupported."""
        try:
            root = ET.fromstring(request.get_data())
        except ET.ParseError:
            return soap_fault("INVALID_XML", "the request is not well-formed XML")
        sid = root.findtext(f".//{{{PARTNER}}}SessionHeader/{{{PARTNER}}}sessionId") or ""
        with lock:
            known = sid.strip() in tokens
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
        with lock:
            table = records.get(kind, {})
            master = table.get(id_key(master_id))
            if master is None:
                return failed("INVALID_CROSS_REFERENCE_KEY", "invalid master record id")
            for v in victims:
                if id_key(v) == id_key(master_id):
                    return failed("INVALID_ARGUMENT", "a record cannot merge into itself")
                if id_key(v) not in table:
                    gone = id_key(v) in deleted.get(kind, {})
                    code = "ENTITY_IS_DELETED" if gone else "INVALID_CROSS_REFERENCE_KEY"
                    return failed(code, "a record to merge is deleted or unknown")
            moved: list[str] = []
            for v in victims:
                for rows in records.values():
                    for rec in rows.values():
                        for f, val in list(rec.items()):
                            if (
                                f.endswith("Id")
                                and f != "Id"
                                and isinstance(val, str)
                                and id_key(val) == id_key(v)
                            ):
                                rec[f] = master["Id"]
                                rec["LastModifiedDate"] = now_iso()
                                moved.append(rec["Id"])
                victim = table.pop(id_key(v))
                victim |= {"IsDeleted": True, "MasterRecordId": master["Id"]}
                deleted.setdefault(kind, {})[id_key(v)] = victim
            master["LastModifiedDate"] = now_iso()
        merged = "".join(f"<mergedRecordIds>{v}</mergedRecordIds>" for v in victims)
        related = "".join(f"<updatedRelatedIds>{r}</updatedRelatedIds>" for r in moved)
        return f"<result><id>{master['Id']}</id>{merged}<success>true</success>{related}</result>"

    # ------------------------------------------------------------------ SOQL

    @app.get("/services/data/<version>/query")
    @app.get("/services/data/<version>/query/")
    @faultable("query")
    def query(version: str) -> Response:
        if (bad := check_version(version)) is not None:
            return bad
        q = request.args.get("q", "")
        try:
            parsed = parse_soql(q)
        except SoqlError as exc:
            return sf_error(400, "MALFORMED_QUERY", str(exc))
        if parsed.obj == "ContentVersion":
            for f in parsed.fields + [c[0] for c in parsed.conditions]:
                if f not in CONTENT_VERSION_FIELDS:
                    return sf_error(
                        400, "INVALID_FIELD", f"No such column '{f}' on entity 'ContentVersion'"
                    )
        with lock:
            rows = list(records.get(parsed.obj, {}).values())
            selected = []
            for rec in rows:
                ok = True
                for field, op, value in parsed.conditions:
                    stored = rec.get(field)
                    if op == "IN":
                        hit = any(_field_equals(field, stored, v) for v in value)
                    else:
                        hit = _field_equals(field, stored, value)
                    if (op == "!=") == hit:
                        ok = False
                        break
                if ok:
                    selected.append(rec)
            if parsed.order:
                key = parsed.order
                selected.sort(
                    key=lambda r: (r.get(key) is None, str(r.get(key))), reverse=parsed.descending
                )
            if parsed.limit is not None:
                selected = selected[: parsed.limit]
            out = []
            for rec in selected:
                item: dict[str, Any] = {
                    "attributes": {
                        "type": parsed.obj,
                        "url": f"/services/data/{version}/sobjects/{parsed.obj}/{rec['Id']}",
                    }
                }
                for f in parsed.fields:
                    item[f] = rec.get(f)
                out.append(item)
        return jsonify({"totalSize": len(out), "done": True, "records": out})

    # ------------------------------------------------------------------ control

    @app.get("/_control/cases/<case_id>/files")
    def control_case_files(case_id: str) -> Response:
        with lock:
            out = [
                {
                    "id": v["Id"],
                    "title": v["Title"],
                    "path_on_client": v["PathOnClient"],
                    "content_document_id": v["ContentDocumentId"],
                    "size": v["ContentSize"],
                    "sha256": v["_sha256"],
                    "md5": v["Checksum"],
                    "created_date": v["CreatedDate"],
                }
                for v in records.get("ContentVersion", {}).values()
                if isinstance(v.get("FirstPublishLocationId"), str)
                and id_key(v["FirstPublishLocationId"]) == id_key(case_id)
            ]
            return jsonify({"files": out})

    @app.get("/_control/records/<sobject>")
    def control_records(sobject: str) -> Response:
        """Live records; with ?deleted=1 the merged-away ones too (IsDeleted, MasterRecordId)."""
        with lock:
            rows = list(records.get(sobject, {}).values())
            if request.args.get("deleted"):
                rows += list(deleted.get(sobject, {}).values())
            out = [{k: v for k, v in rec.items() if not k.startswith("_")} for rec in rows]
            return jsonify({"records": out})

    @app.post("/_control/records")
    def control_seed_record() -> Response:
        body = request.get_json(silent=True) or {}
        sobject = body.get("type")
        fields = body.get("fields") or {}
        if not isinstance(sobject, str) or not isinstance(fields, dict):
            return json_error(400, {"error": "need type and fields"})
        with lock:
            rec = store(sobject, fields, body.get("id"))
            resp = jsonify({"id": rec["Id"]})
            resp.status_code = 201
            return resp

    @app.post("/_control/expire_tokens")
    def control_expire_tokens() -> Response:
        with lock:
            n = len(tokens)
            tokens.clear()
        return jsonify({"expired": n})

    return app


def serve(port: int = 0, host: str = "127.0.0.1", **config: Any) -> ServerHandle:
    """Start the Salesforce stand-in in a background thread (port 0 = any free port)."""
    return serve_app(create_app(**config), port=port, host=host)


def _add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--client-id", default=None, help="default: $SALESFORCE_CLIENT_ID")
    parser.add_argument("--client-secret", default=None, help="default: $SALESFORCE_CLIENT_SECRET")
    parser.add_argument("--lenient-ids", action="store_true")


def _config(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "lenient_ids": args.lenient_ids,
    }


def main(argv: list[str] | None = None) -> None:
    """`python -m emulators.standins.salesforce_server --port N`."""
    run_main("salesforce_server", create_app, DEFAULT_PORT, argv, _add_args, _config)


if __name__ == "__main__":
    main()
