"""Every deployable entry point, in one list: main.py, the local runner and Terraform
checks all read it, so adding a function is one line here plus its handler."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EntryPoint:
    name: str  # the function name and --target
    kind: str  # "http" or "event" (Pub/Sub CloudEvent)
    module: str  # module holding `handle`
    topic: str | None = None  # Pub/Sub trigger for event functions
    public: bool = False  # reachable by carriers / SDKs / back office (handlers authenticate)
    description: str = ""


ENTRYPOINTS: tuple[EntryPoint, ...] = (
    EntryPoint(
        "sessions_http",
        "http",
        "sessions.http",
        public=True,
        description="carrier call-status callbacks, SDK chat sessions, assignment",
    ),
    EntryPoint(
        "sessions_outbox",
        "event",
        "sessions.outbox",
        topic="scheduler-outbox",
        description="publishes session events a crashed instance left unpublished",
    ),
    EntryPoint(
        "deflection_http",
        "http",
        "deflection.http",
        public=True,
        description="IVR / SMS webhooks, SDK and chat deflection, transfer targets",
    ),
    EntryPoint(
        "deflection_voicemail_delivery",
        "event",
        "deflection.voicemail_delivery",
        topic="scheduler-voicemail",
        description="delivers after-hours voicemails when their queue opens",
    ),
    EntryPoint(
        "recordings_http",
        "http",
        "recordings.http",
        public=True,
        description="recording-status callbacks, delivery worker, signed access",
    ),
    EntryPoint(
        "recordings_sweeper",
        "event",
        "recordings.sweeper",
        topic="scheduler-retention",
        description="alerts at day 6 and deletes at day 7",
    ),
    EntryPoint(
        "monitoring_http",
        "http",
        "monitoring.http",
        public=True,
        description="supervisor lists, details, monitoring, end session, audit",
    ),
    EntryPoint(
        "monitoring_sweeper",
        "event",
        "monitoring.sweeper",
        topic="scheduler-stuck-sessions",
        description="ends sessions stuck too long",
    ),
    EntryPoint(
        "attributes_http",
        "http",
        "attributes.http",
        public=True,
        description="Apps API customer flags, SIP mapping, virtual agent, identity",
    ),
    EntryPoint(
        "notifications_http",
        "http",
        "notifications.http",
        public=True,
        description="agent notification settings and ringtones",
    ),
    EntryPoint(
        "notifications_on_event",
        "event",
        "notifications.on_event",
        topic="session-events",
        description="whisper, countdown, tones, SMS on assignment",
    ),
    EntryPoint(
        "smartactions_http",
        "http",
        "smartactions.http",
        public=True,
        description="SmartActions requests, fulfilment, media, redact",
    ),
    EntryPoint(
        "settings_http",
        "http",
        "settings.http",
        public=True,
        description="Settings API: every part of the config, export / import, preview, audit",
    ),
)

TOPICS: tuple[str, ...] = (
    "session-events",
    "alerts",
    "scheduler-outbox",
    "scheduler-voicemail",
    "scheduler-retention",
    "scheduler-stuck-sessions",
    "dead-letter",
)


def by_name(name: str) -> EntryPoint:
    for ep in ENTRYPOINTS:
        if ep.name == name:
            return ep
    raise KeyError(name)
