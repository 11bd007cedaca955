"""Recordings settings (env prefix RECORDINGS_), read once per instance."""

from __future__ import annotations

import hashlib
import re
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from core.settings import Section, in_cloud, section

# The emulators' enrolment of the local CRM key (publicly known, like the key itself; never
# used in the cloud, where RECORDINGS_CRM_TOTP_SECRETS must name each key's secret).
LOCAL_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MB = 1_000_000  # the CRM limits are decimal megabytes (Zendesk: 50 MB per file)


def key_id(key: str) -> str:
    """A short hash naming a key in audit entries, logs and enrolment (never the key)."""
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:12]


class RecordingsSettings(Section):
    model_config = Section.config("RECORDINGS_")

    # Largest part sent to the CRM; tests lower it to keep files small and fast.
    part_size: int = Field(50 * MB, ge=1)
    # One worker owns a recording at a time; a heartbeat renews the lease during the run.
    lease_seconds: float = Field(60.0, gt=0)
    # The heartbeat stops after this long, so a hung run gives the recording up.
    max_run_seconds: float = Field(3600.0, gt=0)
    # Multiplies the backoff curve (tests: 0.01 turns 10 s into 0.1 s); Retry-After is
    # honoured as told, whatever the scale.
    backoff_scale: float = Field(1.0, gt=0)
    # Cloud Tasks waits this long for a delivery run (the task's dispatch_deadline: 30
    # minutes at most); recordings_http's timeout in functions/manifest.json is as long.
    task_deadline_seconds: float = Field(1800.0, ge=15, le=1800)
    # A run starts no new chunk or part after this long: it hands on to a new task, which
    # resumes where this one stopped (ingest from the bytes the bucket has, delivery from
    # the parts the CRM has), so any size fits any carrier speed. The rest of the deadline
    # is the margin for the chunk or part in flight.
    run_budget_seconds: float = Field(1200.0, gt=0)
    # Carrier -> bucket in chunks of this size (a multiple of 256 KiB, as Cloud Storage
    # requires of every chunk but the last); progress is saved after each one.
    ingest_chunk_bytes: int = Field(16 * 1024 * 1024, ge=256 * 1024)
    # The slowest carrier -> bucket link these settings are sized for. A run's first chunk
    # is what half its budget carries at this rate (no probe chunk to measure the link
    # first; later chunks follow the rate seen), and one chunk unit at this rate must fit
    # the margin between the run's budget and the task's deadline.
    ingest_floor_bytes_per_second: int = Field(5 * 1024 * 1024, gt=0)
    # Read timeout towards the carrier and the CRM (a hung answer is an unknown outcome).
    http_timeout_seconds: float = Field(60.0, gt=0)
    # Comma-separated keys the CRM presents (header X-CRM-Key) to read a stored recording.
    # In the cloud the local default is refused at start (core.settings.check_cloud).
    crm_keys: SecretStr = SecretStr("local-crm-key")
    # The second factor (recordings/mfa.py): comma-separated `key_id:BASE32SECRET` TOTP
    # enrolments, key_id(crm key) below. Unset on the emulators: the local key is
    # enrolled with LOCAL_TOTP_SECRET; in the cloud a key without an entry opens nothing.
    crm_totp_secrets: SecretStr | None = None
    mfa_session_seconds: int = Field(600, ge=60, le=3600)
    totp_max_failures: int = Field(5, ge=1, le=100)
    totp_lockout_seconds: int = Field(900, ge=60)
    url_ttl_seconds: int = Field(300, ge=10, le=3600)
    # gcs_v4: Cloud Storage V4 signed URL (production); function: a URL served by this
    # function with an HMAC token (the storage emulator neither signs nor checks V4
    # signatures); auto: function on the emulator suite, gcs_v4 in the cloud and in the
    # cloud-shaped suite (K_SERVICE set).
    signing: Literal["auto", "gcs_v4", "function"] = "auto"
    url_secret: SecretStr | None = None
    alert_after_days: float = Field(6.0, gt=0)
    delete_after_days: float = Field(7.0, gt=0, le=7)
    # Queue for the delivery tasks: settings().recordings_queue unless overridden.
    queue: str | None = Field(None, alias="RECORDINGS_TASKS_QUEUE")
    # In the cloud: the service account whose OIDC token Cloud Tasks attaches to each task.
    tasks_service_account: str | None = None

    @model_validator(mode="after")
    def _chunks_and_budget_fit(self) -> RecordingsSettings:
        if self.ingest_chunk_bytes % (256 * 1024):
            raise ValueError("RECORDINGS_INGEST_CHUNK_BYTES must be a multiple of 256 KiB")
        if self.run_budget_seconds >= self.task_deadline_seconds:
            raise ValueError("RECORDINGS_RUN_BUDGET_SECONDS must be below the task deadline")
        margin = self.task_deadline_seconds - self.run_budget_seconds
        if self.ingest_chunk_bytes / self.ingest_floor_bytes_per_second > margin:
            raise ValueError(
                "RECORDINGS_INGEST_CHUNK_BYTES at RECORDINGS_INGEST_FLOOR_BYTES_PER_SECOND"
                " must fit between the run's budget and the task's deadline"
            )
        return self

    @model_validator(mode="after")
    def _enrolments_parse(self) -> RecordingsSettings:
        # The local key is refused in the cloud by core.settings.check_cloud, for the
        # functions whose manifest entry gives them RECORDINGS_CRM_KEYS.
        self.totp_secrets()  # a malformed enrolment fails at start, not at the first read
        return self

    def totp_secrets(self) -> dict[str, str]:
        """key_id -> base32 TOTP secret."""
        if self.crm_totp_secrets is None:
            if in_cloud():
                return {}
            return {key_id(k): LOCAL_TOTP_SECRET for k in self.crm_key_list}
        raw = self.crm_totp_secrets.get_secret_value()
        out: dict[str, str] = {}
        for entry in filter(None, (e.strip() for e in raw.split(","))):
            kid, sep, secret = entry.partition(":")
            secret = secret.strip().upper()
            if not sep or not re.fullmatch(r"[0-9a-f]{12}", kid.strip()):
                raise ValueError("RECORDINGS_CRM_TOTP_SECRETS: entries are key_id:BASE32SECRET")
            if not re.fullmatch(r"[A-Z2-7]{26,}=*", secret):
                raise ValueError("RECORDINGS_CRM_TOTP_SECRETS: a secret is not base32 of 128+ bits")
            out[kid.strip()] = secret
        return out

    def totp_secret_for(self, key_id: str) -> str | None:
        return self.totp_secrets().get(key_id)

    @property
    def crm_key_list(self) -> list[str]:
        return [k.strip() for k in self.crm_keys.get_secret_value().split(",") if k.strip()]


def rec_settings() -> RecordingsSettings:
    return section(RecordingsSettings)
