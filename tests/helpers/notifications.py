"""Helpers of the notifications tests (plain functions, constants and classes; the fixtures
are in tests/notifications/conftest.py)."""

from __future__ import annotations

import base64
import io
import secrets
from typing import Any

PUBLIC = "https://notifications.example.test"


TREE: dict[str, Any] = {
    "version": 1,
    "center": {
        "name": "Tree Center",
        "timezone": "America/New_York",
        "support_email": "help@tree.example",
        "default_language": "en-US",
        "hours": {"default": "always"},
        "notifications": {
            "calls": {
                "whisper": {"enabled": True, "type": "queue_name", "speed": 1.0},
                "countdown": {"enabled": True, "seconds": 3},
                "tones": {"incoming_call": {"builtin": "classic-ring"}},
                "frequency": {"mode": "once"},
                "sms_on_incoming_call": False,
            },
            "chats": {
                "tones": {"new_chat": {"builtin": "chime"}, "new_message": {"builtin": "pop"}}
            },
        },
    },
    "hours": {"always": {"always_open": True}},
    "languages": {"en-US": {"name": "English", "whisper_text": "Incoming call"}},
    "queues": [
        {
            "id": "support",
            "name": "Support",
            "channels": ["voice", "chat"],
            "notifications": {
                "calls": {
                    "whisper": {"speed": 1.5},
                    "frequency": {"mode": "repeat", "every_seconds": 10, "until": "answered"},
                }
            },
            "children": [
                {
                    "id": "internet",
                    "name": "Internet",
                    "notifications": {
                        "calls": {
                            "whisper": {"type": "tts", "text": "Internet outage line"},
                            "tones": {"incoming_call": {"builtin": "digital"}},
                        }
                    },
                    "children": [
                        {
                            "id": "fiber",
                            "name": "Fiber",
                            "notifications": {
                                "calls": {
                                    "countdown": {"enabled": False},
                                    "sms_on_incoming_call": True,
                                }
                            },
                        },
                        {"id": "dsl", "name": "DSL"},
                    ],
                },
            ],
        },
        {"id": "sales", "name": "Sales", "channels": ["voice", "chat"]},
    ],
    "teams": {
        "support-team": {"name": "Support", "queues": ["support"]},
        "sales-team": {"name": "Sales", "queues": ["sales"]},
    },
    "roles": {
        "support-settings": {
            "name": "Support settings",
            "permissions": ["settings.edit"],
            "scope": "teams",
        }
    },
    # Emails: in the cloud-shaped suite people sign in by email (helpers/common.py).
    "users": {
        "ada": {"name": "Ada Admin", "email": "ada@tree.example", "roles": ["admin"]},
        "mona": {
            "name": "Mona Manager",
            "email": "mona@tree.example",
            "roles": ["manager"],
            "teams": ["support-team"],
        },
        "sue": {
            "name": "Sue Settings",
            "email": "sue@tree.example",
            "roles": ["support-settings"],
            "teams": ["support-team"],
        },
        "alex": {
            "name": "Alex Agent",
            "email": "alex@tree.example",
            "phone": "+14155550101",
            "roles": ["agent"],
            "teams": ["support-team"],
        },
        "nia": {
            "name": "Nia No Phone",
            "email": "nia@tree.example",
            "roles": ["agent"],
            "teams": ["support-team"],
        },
        "router": {
            "name": "Routing service",
            "kind": "service",
            "email": "router@demo-contact-center.iam.gserviceaccount.com",
            "roles": ["routing"],
        },
    },
}


# -- MP3 bytes -------------------------------------------------------------------------------
class SentBody(io.BytesIO):
    """A client's body; remembers how much of it the server read."""

    _at_close = -1

    def close(self) -> None:
        self._at_close = self.tell()
        super().close()

    @property
    def consumed(self) -> int:
        return self._at_close if self.closed else self.tell()


def mp3_frames(
    count: int, *, mpeg2: bool = False, id3_title: str | None = None, id3v1: bool = False
) -> bytes:
    """A real Layer III stream: frame headers with all-zero side information, which
    decoders play as silence. MPEG-1: 128 kbit/s, 44.1 kHz, mono, 417-byte frames of 1152
    samples; MPEG-2: 64 kbit/s, 22.05 kHz, 208-byte frames of 576 samples."""
    header, size = (b"\xff\xf3\x80\xc4", 208) if mpeg2 else (b"\xff\xfb\x90\xc4", 417)
    out = b""
    if id3_title is not None:
        text = b"\x00" + id3_title.encode("latin-1")
        frame = b"TIT2" + len(text).to_bytes(4, "big") + b"\x00\x00" + text
        n = len(frame)
        out += (
            b"ID3\x03\x00\x00"
            + bytes([(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127])
            + frame
        )
    out += (header + bytes(size - 4)) * count
    if id3v1:
        out += b"TAG" + bytes(125)
    return out


def mp3_seconds(count: int, mpeg2: bool = False) -> float:
    return round(count * (576 / 22050 if mpeg2 else 1152 / 44100), 3)


# -- sessions and events -----------------------------------------------------------------------
def call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def queued_call(queue_id: str, path: str, language: str = "en-US") -> str:
    from core.sessions import store

    sid = call_sid()
    store.ensure(
        sid,
        "queued",
        {
            "channel": "voice",
            "queue_id": queue_id,
            "queue_path": path,
            "language": language,
            "team_ids": ["support-team"],
        },
    )
    return sid


def cloud_event_of(message: Any) -> Any:
    """A pulled Pub/Sub message as the CloudEvent Eventarc hands the function."""
    from cloudevents.http import CloudEvent

    return CloudEvent(
        {
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "source": "//pubsub.googleapis.com/projects/demo-contact-center/topics/session-events",
            "id": message.message_id,
        },
        {
            "message": {
                "data": base64.b64encode(message.data).decode(),
                "attributes": dict(message.attributes),
                "messageId": message.message_id,
            },
            "subscription": "projects/demo-contact-center/subscriptions/test",
        },
    )


def connected_event(suite: Any, sub: str, session_id: str) -> Any:
    """The session's `connected` event, pulled off the real topic."""
    import json

    from tests.helpers.common import pull_all

    for m in pull_all(suite, sub, timeout=8, expect=1):
        body = json.loads(m.data)
        if body["session_id"] == session_id and body["data"].get("to") == "connected":
            return m
    raise AssertionError("no connected event was published")
