"""Uploads, attachments and comments as the stand-in keeps them (tickets and users are
plain dicts: their fields are stored as given)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from emulators.standins.common import StoredBlob


@dataclass
class Attachment:
    id: int
    file_name: str
    content_type: str
    blob: StoredBlob
    access_token: str
    upload_token: str
    comment_id: int | None = None
    ticket_id: int | None = None


@dataclass
class Upload:
    token: str
    created_at: datetime
    expires_at: datetime
    attachment_ids: list[int] = field(default_factory=list)
    used_in_comment: int | None = None
    deleted: bool = False


@dataclass
class Comment:
    id: int
    ticket_id: int
    author_id: int
    body: str
    html_body: str
    public: bool
    attachment_ids: list[int]
    audit_id: int
    created_at: datetime
    upload_tokens: list[str]
