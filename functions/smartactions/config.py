"""SmartActions settings (env prefix SMARTACTIONS_), read once per instance."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr

from core.settings import Section, section


class SmartActionsSettings(Section):
    model_config = Section.config("SMARTACTIONS_")

    # How long media (request uploads and chat attachments) is kept. Written on each object
    # (metadata retain_until, custom_time) so the bucket lifecycle rule and `retention.purge`
    # both enforce it; the agent never gets a URL past it.
    media_retention_days: int = 30
    # Lifetime of the agent's read URLs and of the SDK's upload URLs.
    read_url_ttl_seconds: int = 300
    upload_url_ttl_seconds: int = 900
    # Request time limits (the agent may ask for less, never more than the maximum).
    default_request_ttl_seconds: int = 300
    max_request_ttl_seconds: int = 1800
    max_image_bytes: int = 10 * 1024 * 1024
    max_video_bytes: int = 100 * 1024 * 1024
    max_attachments_per_session: int = 20
    max_requests_per_session: int = 50
    # gcs_v4: Cloud Storage V4 signed URLs (production). function: URLs served by this
    # function with an HMAC token (the storage emulator does not check V4 signatures, so
    # expiry and tampering could never fail there). auto: function on the emulator.
    signing: Literal["auto", "gcs_v4", "function"] = "auto"
    # Key for function-signed URLs; derived from the company secret when unset.
    url_secret: SecretStr | None = None
    # Longest lifetime (exp - iat) of a company-signed verification result.
    verification_token_max_lifetime_seconds: int = 300
    # What the carrier records while paused: skip drops the span, silence keeps timing.
    pause_behavior: Literal["skip", "silence"] = "skip"


def sa_settings() -> SmartActionsSettings:
    return section(SmartActionsSettings)
