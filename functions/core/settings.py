"""Typed settings from environment variables, read once per instance."""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

SECRET_FIELDS = frozenset(
    {
        "twilio_auth_token",
        "zendesk_api_token",
        "salesforce_client_secret",
        "apps_api_tokens",
        "cx_webhook_secret",
        "company_secret",
        "portal_token_secret",
    }
)


class Settings(BaseModel):
    """Everything a function needs from its environment.

    In the cloud Terraform sets these (secrets come from Secret Manager as env vars);
    on the emulator suite `emulators/` writes them. Emulator hosts follow the names the
    Google clients already understand, plus CLOUD_TASKS_EMULATOR_HOST for Cloud Tasks.
    """

    # Read straight from os.environ by alias: pydantic-settings would cost ~40 ms of import
    # at every cold start for nothing we need.
    model_config = ConfigDict(extra="ignore")

    google_cloud_project: str = Field("demo-contact-center", alias="GOOGLE_CLOUD_PROJECT")
    region: str = Field("us-central1", alias="REGION")

    firestore_emulator_host: str | None = Field(None, alias="FIRESTORE_EMULATOR_HOST")
    pubsub_emulator_host: str | None = Field(None, alias="PUBSUB_EMULATOR_HOST")
    storage_emulator_host: str | None = Field(None, alias="STORAGE_EMULATOR_HOST")
    cloud_tasks_emulator_host: str | None = Field(None, alias="CLOUD_TASKS_EMULATOR_HOST")
    # The Firebase Authentication emulator (firebase-admin reads the same variable): its ID
    # tokens are unsigned, so the cloud refuses to start with it set.
    firebase_auth_emulator_host: str | None = Field(None, alias="FIREBASE_AUTH_EMULATOR_HOST")

    # Public base URL of this function as the carrier sees it: Twilio signs the URL it
    # called, so we must never rebuild it from (proxy-rewritten) request headers.
    public_url: str = Field("http://127.0.0.1:8080", alias="PUBLIC_URL")
    # Public URLs of the other functions, for callbacks we hand to the carrier / tasks.
    function_urls_json: str = Field("{}", alias="FUNCTION_URLS")

    twilio_account_sid: str = Field("AC" + "0" * 32, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field("local-twilio-token", alias="TWILIO_AUTH_TOKEN")
    twilio_api_base: str = Field("https://api.twilio.com", alias="TWILIO_API_BASE")
    twilio_caller_id: str = Field("+15005550006", alias="TWILIO_CALLER_ID")

    crm: str = Field("zendesk", alias="CRM")
    zendesk_base_url: str = Field("http://127.0.0.1:8181", alias="ZENDESK_BASE_URL")
    zendesk_email: str = Field("agent@example.com", alias="ZENDESK_EMAIL")
    zendesk_api_token: str = Field("local-zendesk-token", alias="ZENDESK_API_TOKEN")
    salesforce_base_url: str = Field("http://127.0.0.1:8182", alias="SALESFORCE_BASE_URL")
    salesforce_client_id: str = Field("local-client", alias="SALESFORCE_CLIENT_ID")
    salesforce_client_secret: str = Field("local-secret", alias="SALESFORCE_CLIENT_SECRET")

    company_subdomain: str = Field("demo", alias="COMPANY_SUBDOMAIN")
    # Comma-separated Apps API tokens (several so tokens can be rotated without downtime).
    apps_api_tokens: str = Field("local-apps-token", alias="APPS_API_TOKENS")
    # Apps API calls allowed per second per API customer (subdomain), across instances.
    apps_api_rate_limit: int = Field(10, alias="APPS_API_RATE_LIMIT")
    # X-Forwarded-For entries appended by Google's infrastructure (core.http.client_address):
    # 1 for Cloud Functions / Cloud Run alone, 2 behind an external Application LB.
    trusted_proxy_hops: int = Field(1, ge=0, le=8, alias="TRUSTED_PROXY_HOPS")
    # Anonymous traffic (core/throttle.py), per minute: chat starts per client address and
    # per visitor id, and new visitor ids per client address.
    anon_chats_per_address: int = Field(10, ge=0, alias="ANON_CHATS_PER_ADDRESS_PER_MINUTE")
    anon_chats_per_visitor: int = Field(3, ge=0, alias="ANON_CHATS_PER_VISITOR_PER_MINUTE")
    new_visitors_per_address: int = Field(20, ge=0, alias="NEW_VISITORS_PER_ADDRESS_PER_MINUTE")
    # CRM calls per minute across every instance (the CRM plan's API limit, e.g. Zendesk
    # 700/min), and the share only recording delivery may use (core/crm/budget.py).
    crm_budget_per_minute: int = Field(700, ge=1, alias="CRM_BUDGET_PER_MINUTE")
    crm_recording_reserve: float = Field(0.3, ge=0.0, le=1.0, alias="CRM_RECORDING_RESERVE")
    # Shared secret the Dialogflow CX webhook sends (header X-Webhook-Secret).
    cx_webhook_secret: str = Field("local-cx-webhook-secret", alias="CX_WEBHOOK_SECRET")
    company_secret: str = Field("local-company-secret-at-least-32-bytes!", alias="COMPANY_SECRET")
    portal_token_secret: str = Field(
        "local-portal-secret-at-least-32-bytes!!", alias="PORTAL_TOKEN_SECRET"
    )
    jwt_leeway_seconds: int = Field(60, alias="JWT_LEEWAY_SECONDS")
    # Signed custom data lives minutes, not a day: a copied token is soon worthless.
    custom_data_max_lifetime_seconds: int = Field(
        600, ge=1, le=3600, alias="CUSTOM_DATA_MAX_LIFETIME_SECONDS"
    )
    # Public certificates of Google service-account ID tokens (automation callers); the
    # local suite points it at its own issuer.
    service_token_certs_url: str = Field(
        "https://www.googleapis.com/oauth2/v1/certs", alias="SERVICE_TOKEN_CERTS_URL"
    )

    recordings_bucket: str = Field("recordings", alias="RECORDINGS_BUCKET")
    media_bucket: str = Field("media", alias="MEDIA_BUCKET")
    tasks_location: str = Field("us-central1", alias="TASKS_LOCATION")
    recordings_queue: str = Field("recording-delivery", alias="RECORDINGS_QUEUE")
    scheduled_calls_queue: str = Field("scheduled-callbacks", alias="SCHEDULED_CALLS_QUEUE")
    session_events_topic: str = Field("session-events", alias="SESSION_EVENTS_TOPIC")
    alerts_topic: str = Field("alerts", alias="ALERTS_TOPIC")

    # In the cloud: the account whose Google OIDC token Pub/Sub push presents to the event
    # functions (audience: PUBLIC_URL; infra/pubsub.tf). Cloud Tasks' is in recordings.
    push_service_account: str | None = Field(None, alias="PUSH_SERVICE_ACCOUNT")

    tts_engine: str = Field("google", alias="TTS_ENGINE")  # google | espeak
    config_cache_seconds: float = Field(15.0, alias="CONFIG_CACHE_SECONDS")
    log_level: str = Field("INFO", alias="LOG_LEVEL")

    @model_validator(mode="after")
    def _no_local_secrets_in_the_cloud(self) -> Settings:
        """In the cloud (K_SERVICE is set by the runtime) a secret left at its local default
        is a publicly known value: refuse to start rather than run with it."""
        if not os.environ.get("K_SERVICE"):
            return self
        if self.firebase_auth_emulator_host:
            raise ValueError("FIREBASE_AUTH_EMULATOR_HOST is set: it accepts unsigned ID tokens")
        defaults = [
            f.alias
            for name, f in type(self).model_fields.items()
            if name in SECRET_FIELDS and getattr(self, name) == f.default
        ]
        if defaults:
            raise ValueError(f"secrets left at their local defaults: {', '.join(defaults)}")
        return self

    @property
    def on_emulators(self) -> bool:
        return bool(self.firestore_emulator_host)

    @property
    def apps_api_token_list(self) -> list[str]:
        return [t.strip() for t in self.apps_api_tokens.split(",") if t.strip()]

    def function_url(self, name: str) -> str:
        """Public URL of another function (by entry-point name)."""
        import json

        urls: dict[str, str] = json.loads(self.function_urls_json or "{}")
        if name not in urls:
            raise KeyError(f"FUNCTION_URLS has no entry for {name!r}")
        return urls[name].rstrip("/")


@cache
def settings() -> Settings:
    return Settings.model_validate(dict(os.environ))


def reset_settings() -> None:
    """Tests change the environment between cases; forget the cached instance."""
    settings.cache_clear()
