"""Helpers of the settings tests (plain functions, constants and classes; the fixtures
are in tests/settings/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

PUBLIC = "https://settings.example.test"


class Api:
    """A thin client: `api.get(path, user)`, `api.write(method, path, body, etag, user)`."""

    def __init__(self, client: Any, token: Callable[[str], str]) -> None:
        self.client = client
        self.token = token

    def headers(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"} if user else {}

    def get(self, path: str, user: str | None = "ada") -> Any:
        return self.client.get(path, headers=self.headers(user))

    def ok(self, path: str, user: str = "ada") -> dict[str, Any]:
        r = self.get(path, user)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def write(
        self,
        method: str,
        path: str,
        body: Any = None,
        etag: str | None = None,
        user: str | None = "ada",
    ) -> Any:
        headers = self.headers(user) | ({"If-Match": f'"{etag}"'} if etag else {})
        kw: dict[str, Any] = {"headers": headers}
        if body is not None:
            kw |= {"data": json.dumps(body), "content_type": "application/json"}
        return self.client.open(path, method=method, **kw)

    def patch(self, path: str, body: Any, user: str = "ada") -> Any:
        """GET the ETag, then merge-patch with it."""
        etag = self.ok(path, user)["etag"]
        return self.write("PATCH", path, body, etag, user)


def version() -> str:
    from core.config.store import load_config

    return load_config()[1]
