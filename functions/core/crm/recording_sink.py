"""The boundary between recording delivery and a CRM: a third CRM is one more file (plus a
line in core/crm/choice.py).

The worker (functions/recordings) owns state, retries and exactly-once; a sink only talks
to its CRM. Two shapes exist, told apart by `stages_parts`:
- staged (Zendesk): each part is uploaded (invisible to the customer), then one `commit`
  makes them all appear at once; an upload whose answer was lost is harmless.
- per part (Salesforce): each `send_part` is itself visible; after an unknown outcome the
  worker asks `find_part` (by the part's marker) before sending again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.crm.streams import Readable


@dataclass(frozen=True)
class Part:
    index: int  # 1-based
    count: int
    offset: int
    size: int
    file_name: str  # says "part i of n"
    marker: str  # unique per recording and part; searchable in the CRM


@dataclass(frozen=True)
class Delivery:
    recording_sid: str
    call_sid: str
    session_id: str
    target: str  # ticket id (Zendesk) or case id (Salesforce)
    size: int
    marker: str  # unique per recording
    content_type: str
    parts: tuple[Part, ...]
    summary: str  # human text: what this is (call, size, parts)


class RecordingSink(Protocol):
    """What recording delivery needs of a CRM (core/crm/choice.py picks one by name)."""

    name: str
    stages_parts: bool
    timeout: tuple[float, float]  # (connect, read) seconds towards the CRM

    def find_target(self, session_id: str) -> str | None:
        """The ticket / case this session already has in the CRM (by our external key)."""

    def create_target(self, session_id: str, subject: str, body: str) -> str:
        """Create a ticket / case for a session that has none."""

    def send_part(self, d: Delivery, part: Part, body: Readable) -> dict[str, Any]:
        """Send one part (body yields exactly part.size bytes); returns a JSON-able receipt
        (`expires_at`: epoch seconds after which a staged receipt is useless)."""

    def receipt_usable(self, receipt: dict[str, Any], now: float) -> bool:
        """Whether a sent part's receipt still counts (a staged upload expires)."""

    def find_part(self, d: Delivery, part: Part) -> dict[str, Any] | None:
        """A part already visible in the CRM (lost acknowledgement), else None."""

    def commit(self, d: Delivery, receipts: list[dict[str, Any]]) -> dict[str, Any]:
        """Make staged parts visible, in order (per-part sinks: nothing left to do)."""

    def find_commit(self, d: Delivery) -> dict[str, Any] | None:
        """The commit, if the CRM already applied it (lost acknowledgement), else None."""
