"""Salesforce's wire conventions: ids (15 / 18 characters), REST errors, SOAP faults."""

from __future__ import annotations

import re

from flask import Response

from emulators.standins.common import Fault, json_error, retry_after_headers

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


def fault_error(status: int, fault: Fault | None) -> Response:
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


def check_version(version: str) -> Response | None:
    """404 unless `version` looks like an API version (`v60.0`)."""
    if not re.fullmatch(r"v\d+\.\d", version):
        return not_found()
    return None
