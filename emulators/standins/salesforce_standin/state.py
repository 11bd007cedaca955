"""The Salesforce stand-in's state: access tokens, records per sObject type (live and merged
away), ContentVersion blobs, and the rules that change them (ids, timestamps,
ContentVersion inserts with their ContentDocument and link, merge()).

One instance per app (`state()` inside a request); every change happens under `lock`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from emulators.standins.common import Standin, StoredBlob, iso_z
from emulators.standins.salesforce_standin.wire import KEY_PREFIXES, id_key, sf_id

EXTENSION = "salesforce_standin"
ORG_ID = "00D5g000000LocAL"
USER_ID = "0055g000000LocAL"


def state() -> SalesforceState:
    """The state of the app serving the current request."""
    return current_app.extensions[EXTENSION]


class SalesforceState:
    def __init__(
        self,
        st: Standin,
        client_id: str,
        client_secret: str,
        username: str | None,
        password: str | None,
        lenient_ids: bool,
    ) -> None:
        self.st = st
        self.lock = st.lock
        self.client_id = client_id
        self.client_secret = client_secret
        self.username = username
        self.password = password
        # PATCH on an unknown id creates the record instead of answering 404.
        self.lenient_ids = lenient_ids
        self.tokens: set[str] = set()
        self.records: dict[str, dict[str, dict[str, Any]]] = {}  # type -> id15 -> fields
        self.deleted: dict[str, dict[str, dict[str, Any]]] = {}  # merged away, same shape
        self.blobs: dict[str, StoredBlob] = {}  # ContentVersion id15 -> blob
        self.counter = 0

    def reset(self) -> None:
        self.tokens.clear()
        self.records.clear()
        self.deleted.clear()
        self.blobs.clear()
        self.counter = 0

    def new_id(self, sobject: str) -> str:
        self.counter += 1
        return sf_id(KEY_PREFIXES.get(sobject, "a00"), self.counter)

    def now_iso(self) -> str:
        return iso_z(self.st.clock.now()).replace("Z", ".000+0000")

    def store(self, sobject: str, fields: dict[str, Any], rid: str | None = None) -> dict[str, Any]:
        rid = rid or self.new_id(sobject)
        t = self.now_iso()
        rec = {"Id": rid, "CreatedDate": t, "LastModifiedDate": t, **fields}
        self.records.setdefault(sobject, {})[id_key(rid)] = rec
        return rec

    def record_json(self, sobject: str, rec: dict[str, Any], version: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attributes": {
                "type": sobject,
                "url": f"/services/data/{version}/sobjects/{sobject}/{rec['Id']}",
            }
        }
        out.update({k: v for k, v in rec.items() if not k.startswith("_")})
        return out
