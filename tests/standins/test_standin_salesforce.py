"""The Salesforce stand-in: OAuth, ContentVersion (JSON and multipart), SOQL, faults."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
import requests

from emulators.standins.salesforce_server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    parse_soql,
    sf_id,
)

V = "/services/data/v60.0"


@pytest.fixture
def sf(salesforce):
    tok = requests.post(
        f"{salesforce.url}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
        },
    ).json()
    assert tok["instance_url"] == salesforce.url and tok["token_type"] == "Bearer"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tok['access_token']}"
    session.base = tok["instance_url"]
    return session


def new_case(sf) -> str:
    r = sf.post(f"{sf.base}{V}/sobjects/Case", json={"Subject": "Call"})
    assert r.status_code == 201 and r.json()["success"] is True
    return r.json()["id"]


def test_oauth_and_session_errors(salesforce):
    bad = requests.post(
        f"{salesforce.url}/services/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"
    r = requests.get(f"{salesforce.url}{V}/query", params={"q": "SELECT Id FROM Case"})
    assert r.status_code == 401
    assert r.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_json_content_version_and_query(sf):
    case_id = new_case(sf)
    data = b"\x00\x01voice" * 100
    r = sf.post(
        f"{sf.base}{V}/sobjects/ContentVersion",
        json={
            "Title": "recording part 1",
            "PathOnClient": "rec.part1.wav",
            "VersionData": base64.b64encode(data).decode(),
            "FirstPublishLocationId": case_id,
        },
    )
    assert r.status_code == 201
    assert r.json()["success"] is True and r.json()["errors"] == []
    cv_id = r.json()["id"]
    assert cv_id.startswith("068") and len(cv_id) == 18
    q = f"SELECT Id, Title FROM ContentVersion WHERE FirstPublishLocationId = '{case_id[:15]}'"
    res = sf.get(f"{sf.base}{V}/query", params={"q": q}).json()
    assert res["totalSize"] == 1 and res["done"] is True
    rec = res["records"][0]
    assert rec["Id"] == cv_id and rec["Title"] == "recording part 1"
    assert rec["attributes"]["type"] == "ContentVersion"
    files = sf.get(f"{sf.base}/_control/cases/{case_id}/files").json()["files"]
    assert files[0]["size"] == len(data) and files[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert sf.get(f"{sf.base}{V}/sobjects/ContentVersion/{cv_id}/VersionData").content == data


def test_multipart_content_version(sf):
    case_id = new_case(sf)
    data = bytes(range(256)) * 4000 + b"\r\n--not-the-boundary\r\n"
    entity = {"Title": "rec", "PathOnClient": "rec.wav", "FirstPublishLocationId": case_id}
    r = sf.post(
        f"{sf.base}{V}/sobjects/ContentVersion",
        files={
            "entity_content": (None, json.dumps(entity), "application/json"),
            "VersionData": ("rec.wav", data, "application/octet-stream"),
        },
    )
    assert r.status_code == 201, r.text
    files = sf.get(f"{sf.base}/_control/cases/{case_id}/files").json()["files"]
    assert [(f["title"], f["size"]) for f in files] == [("rec", len(data))]
    assert files[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert files[0]["md5"] == hashlib.md5(data).hexdigest()

    missing = sf.post(
        f"{sf.base}{V}/sobjects/ContentVersion",
        files={"entity_content": (None, json.dumps(entity), "application/json")},
    )
    assert missing.status_code == 400


def test_case_patch_contact_create_and_not_found(sf):
    case_id = new_case(sf)
    r = sf.patch(f"{sf.base}{V}/sobjects/Case/{case_id}", json={"Verified_Customer__c": True})
    assert r.status_code == 204
    got = sf.get(f"{sf.base}{V}/sobjects/Case/{case_id}").json()
    assert got["Verified_Customer__c"] is True and got["Subject"] == "Call"
    missing = sf.patch(f"{sf.base}{V}/sobjects/Case/500000000000000AAA", json={"Subject": "x"})
    assert missing.status_code == 404 and missing.json()[0]["errorCode"] == "NOT_FOUND"
    contact = sf.post(f"{sf.base}{V}/sobjects/Contact", json={"LastName": "Web User - 03/04 10:15"})
    assert contact.status_code == 201 and contact.json()["id"].startswith("003")
    bad = sf.get(f"{sf.base}{V}/query", params={"q": "SELEC Id FROM Case"})
    assert bad.status_code == 400 and bad.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_limit_faults_and_drop_ack(sf):
    case_id = new_case(sf)
    sf.post(
        f"{sf.base}/_control/faults",
        json={
            "route": "content_versions",
            "faults": [
                {"kind": "rate_limit"},
                {"kind": "status", "status": 503, "retry_after": 1},
                {"kind": "drop_ack"},
            ],
        },
    )
    body = {
        "PathOnClient": "a.wav",
        "VersionData": base64.b64encode(b"abc").decode(),
        "FirstPublishLocationId": case_id,
    }
    url = f"{sf.base}{V}/sobjects/ContentVersion"
    r = sf.post(url, json=body)
    assert r.status_code == 403 and r.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    r = sf.post(url, json=body)
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    assert sf.post(url, json=body).status_code == 500
    assert len(sf.get(f"{sf.base}/_control/cases/{case_id}/files").json()["files"]) == 1
    assert sf.post(url, json=body).status_code == 201


def test_soql_subset_and_ids():
    q = parse_soql("select Id, Title from ContentVersion where A = 'it\\'s' and B IN ('x', 'y')")
    assert q.fields == ["Id", "Title"] and q.obj == "ContentVersion"
    assert q.conditions == [("A", "=", "it's"), ("B", "IN", ["x", "y"])]
    assert sf_id("500", 1)[:15] == "5005g0000000001" and sf_id("500", 1)[15:] == "AAA"


def test_upsert_by_external_id(sf):
    url = f"{sf.base}{V}/sobjects/Contact/CC_External_Id__c/visitor-1"
    r = sf.patch(url, json={"LastName": "Web User"})
    assert r.status_code == 201 and r.json()["created"] is True and r.json()["success"] is True
    cid = r.json()["id"]
    r = sf.patch(url, json={"LastName": "Renamed"})
    assert r.status_code == 200 and r.json() == {
        "id": cid,
        "success": True,
        "errors": [],
        "created": False,
    }
    assert sf.get(f"{sf.base}{V}/sobjects/Contact/{cid}").json()["LastName"] == "Renamed"
    # Neither Id nor the external id field may be in the body.
    r = sf.patch(url, json={"CC_External_Id__c": "other"})
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


SOAP = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:urn="urn:partner.soap.sforce.com" xmlns:urn1="urn:sobject.partner.soap.sforce.com">'
    "<soapenv:Header><urn:SessionHeader><urn:sessionId>{token}</urn:sessionId>"
    "</urn:SessionHeader></soapenv:Header><soapenv:Body><urn:merge><urn:request>"
    "<urn:masterRecord><urn1:type>Contact</urn1:type><urn1:Id>{master}</urn1:Id>"
    "</urn:masterRecord><urn:recordToMergeIds>{victim}</urn:recordToMergeIds>"
    "</urn:request></urn:merge></soapenv:Body></soapenv:Envelope>"
)


def test_soap_merge_reparents_and_deletes_the_victim(sf):
    import xml.etree.ElementTree as ET

    p = "{urn:partner.soap.sforce.com}"
    token = sf.headers["Authorization"].split()[1]
    master = sf.post(f"{sf.base}{V}/sobjects/Contact", json={"LastName": "Real"}).json()["id"]
    victim = sf.post(f"{sf.base}{V}/sobjects/Contact", json={"LastName": "Anon"}).json()["id"]
    case = sf.post(f"{sf.base}{V}/sobjects/Case", json={"ContactId": victim}).json()["id"]
    url = f"{sf.base}/services/Soap/u/60.0"
    body = SOAP.format(token=token, master=master, victim=victim)
    r = requests.post(url, data=body, headers={"Content-Type": "text/xml", "SOAPAction": "merge"})
    assert r.status_code == 200, r.text
    result = ET.fromstring(r.content).find(f".//{p}mergeResponse/{p}result")
    assert result.findtext(f"{p}success") == "true" and result.findtext(f"{p}id") == master
    assert result.findtext(f"{p}mergedRecordIds") == victim
    assert result.findtext(f"{p}updatedRelatedIds") == case
    assert sf.get(f"{sf.base}{V}/sobjects/Case/{case}").json()["ContactId"] == master
    gone = sf.get(f"{sf.base}{V}/sobjects/Contact/{victim}")
    assert gone.status_code == 404 and gone.json()[0]["errorCode"] == "ENTITY_IS_DELETED"
    # Again: the victim is deleted; a failed MergeResult, not a fault.
    r = requests.post(url, data=body, headers={"Content-Type": "text/xml"})
    result = ET.fromstring(r.content).find(f".//{p}mergeResponse/{p}result")
    assert result.findtext(f"{p}success") == "false"
    assert result.findtext(f"{p}errors/{p}statusCode") == "ENTITY_IS_DELETED"
    # A wrong session id is a SOAP fault (HTTP 500, sf:INVALID_SESSION_ID).
    r = requests.post(url, data=SOAP.format(token="nope", master=master, victim=victim))
    assert r.status_code == 500 and "sf:INVALID_SESSION_ID" in r.text
