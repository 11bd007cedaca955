"""Typed settings from environment variables, read once per instance.

In the cloud (the runtime sets K_SERVICE) a function is given only the secrets its entry in
functions/manifest.json lists. It refuses to start when one of those is missing or left at
its publicly known local default, and a secret it was not given cannot be read at all (a
function whose manifest entry lacks a secret it uses fails loudly, not with a local value).
Errors name environment variables only: never a value, never the environment. Secrets are
`SecretStr`: a logged or printed settings object shows `**********`.

`Settings` holds what every function shares. A capability keeps its own settings in
`<capability>/config.py` as a `Section` with an env prefix (`RECORDINGS_`, `SMARTACTIONS_`),
loaded with `section(Model)`; the same cloud check covers the secrets of both, driven by
the function's manifest entry. Both are forgotten by `core.caches.reset()`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from core.caches import cached, on_reset

if TYPE_CHECKING:  # pragma: no cover
    from core.manifest import Function

GOOGLE_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
SECURETOKEN_CERTS_URL = (
    "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
)
IDENTITY_TOOLKIT_URL = "https://identitytoolkit.googleapis.com"

M = TypeVar("M", bound=BaseModel)
S = TypeVar("S", bound="Section")


class SettingsError(RuntimeError):
    """A function cannot run with its environment; the message names variables only."""


class SecretNotGiven(SettingsError):
    """This function reads a secret its manifest entry does not list."""


def validated(model: type[M], env: dict[str, str], what: str) -> M:
    """`model` from `env`, or a SettingsError naming the offending variables. A pydantic
    ValidationError prints `input_value=` (for a whole-model check: the whole environment,
    secrets included), so it never leaves this function, not even as a chained cause."""
    try:
        return model.model_validate(env)
    except ValidationError as exc:
        aliases = {n: (f.alias or n) for n, f in model.model_fields.items()}
        problems = []
        for err in exc.errors(include_input=False, include_url=False):
            loc = ".".join(aliases.get(str(p), str(p)) for p in err["loc"]) or what
            problems.append(f"{loc}: {err['msg']}")
        message = f"{what}: invalid environment: " + "; ".join(problems)
    raise SettingsError(message)


def in_cloud() -> bool:
    """The Cloud Run runtime behind Cloud Functions (2nd gen) sets K_SERVICE."""
    return bool(os.environ.get("K_SERVICE"))


def current_function() -> Function | None:
    """This process's manifest entry: FUNCTION_TARGET (the entry point, set by the runtime
    and the suite) or K_SERVICE (the deployed, hyphenated name); None when neither names
    one (tests, scripts)."""
    from core.manifest import manifest

    m = manifest()
    for var in ("FUNCTION_TARGET", "K_SERVICE"):
        name = os.environ.get(var)
        if name and (fn := m.by_service(name)) is not None:
            return fn
    return None


def _plain(value: Any) -> str | None:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value if isinstance(value, str) else None


def _sections_for(fn: Function | None) -> list[type[Section]]:
    """Every known Section, after importing the settings module of `fn`'s capability
    (`<capability>/config.py`), so its secrets are checked before its code first runs."""
    if fn is not None:
        name = fn.module.split(".")[0] + ".config"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    return list(SECTIONS)


def local_defaults(fn: Function | None = None) -> dict[str, str | None]:
    """Env var name => local default of every secret of the manifest (None: no default).
    The defaults are the fields' own: of `Settings` and of every capability `Section`."""
    from core.manifest import manifest

    models: list[type[EnvModel]] = [Settings, *_sections_for(fn)]
    fields = {
        f.alias: _plain(f.default)
        for model in models
        for f in model.model_fields.values()
        if f.alias
    }
    return {var: fields.get(var) for var in manifest().secrets.values()}


def _left_at_default(value: str, default: str | None) -> bool:
    # A comma-separated secret (keys kept side by side for rotation) must not hold a
    # publicly known entry either.
    return default is not None and (
        value == default or default in (v.strip() for v in value.split(","))
    )


def cloud_problems(env: dict[str, str] | None = None) -> list[str]:
    """What keeps this function from starting in the cloud (names only; empty: fine)."""
    from core.manifest import manifest

    env = dict(os.environ) if env is None else env
    m = manifest()
    fn = current_function()
    if fn is None:
        return ["FUNCTION_TARGET / K_SERVICE name no function of manifest.json"]
    problems = []
    defaults = local_defaults(fn)
    for var in m.secret_env(fn):
        value = env.get(var, "")
        if not value.strip():
            problems.append(f"{var} is missing")
        elif _left_at_default(value, defaults.get(var)):
            problems.append(f"{var} is left at its local default")
    needs = []
    if fn.kind == "event":
        needs.append(m.oidc.push_service_account_env)
    if fn.tasks_path:
        needs.append(m.oidc.tasks_service_account_env)
    problems += [f"{var} is missing" for var in needs if not env.get(var, "").strip()]
    if env.get("FIREBASE_AUTH_EMULATOR_HOST"):
        # firebase-admin then accepts unsigned ID tokens: never in the cloud.
        problems.append("FIREBASE_AUTH_EMULATOR_HOST is set: it accepts unsigned ID tokens")
    return problems


def check_cloud() -> None:
    """Refuse to start in the cloud with a missing or publicly known secret."""
    if not in_cloud():
        return
    problems = cloud_problems()
    if problems:
        fn = current_function()
        who = fn.name if fn is not None else os.environ.get("K_SERVICE", "?")
        raise SettingsError(f"{who} refuses to start: " + "; ".join(problems))


# Field names some loaded model withholds (see EnvModel): checked on every attribute read,
# so it stays a frozenset that is almost always empty.
_WITHHELD_NAMES: frozenset[str] = frozenset()


class EnvModel(BaseModel):
    """Settings read straight from os.environ by alias. A secret of the manifest that this
    function was not given raises SecretNotGiven when read, instead of quietly reading as
    its local default."""

    # Plain pydantic: pydantic-settings would cost ~40 ms of import at every cold start
    # for nothing we need.
    model_config = ConfigDict(extra="ignore")

    _withheld: frozenset[str] = frozenset()

    def __getattribute__(self, name: str) -> Any:
        if name in _WITHHELD_NAMES:
            withheld = object.__getattribute__(self, "__pydantic_private__") or {}
            if name in withheld.get("_withheld", ()):
                alias = type(self).model_fields[name].alias
                raise SecretNotGiven(
                    f"{alias} is read but not among this function's secrets in manifest.json"
                )
        return super().__getattribute__(name)


def _load(model: type[M], what: str) -> M:
    """`model` from the environment, after the cloud check; the secrets of the manifest
    that this function is not given are withheld."""
    global _WITHHELD_NAMES
    check_cloud()
    s = validated(model, dict(os.environ), what)
    fn = current_function() if in_cloud() else None
    if fn is not None and isinstance(s, EnvModel):
        from core.manifest import manifest

        m = manifest()
        secrets, given = set(m.secrets.values()), m.secret_env(fn)
        withheld = frozenset(
            n for n, f in model.model_fields.items() if f.alias in secrets and f.alias not in given
        )
        s._withheld = withheld
        _WITHHELD_NAMES = _WITHHELD_NAMES | withheld
    return s


class Settings(EnvModel):
    """Everything a function needs from its environment.

    In the cloud Terraform sets these (secrets come from Secret Manager as env vars);
    on the emulator suite `emulators/` writes them. Emulator hosts follow the names the
    Google clients already understand, plus CLOUD_TASKS_EMULATOR_HOST for Cloud Tasks.
    """

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
    twilio_auth_token: SecretStr = Field(SecretStr("local-twilio-token"), alias="TWILIO_AUTH_TOKEN")
    twilio_api_base: str = Field("https://api.twilio.com", alias="TWILIO_API_BASE")
    twilio_caller_id: str = Field("+15005550006", alias="TWILIO_CALLER_ID")

    crm: str = Field("zendesk", alias="CRM")
    zendesk_base_url: str = Field("http://127.0.0.1:8181", alias="ZENDESK_BASE_URL")
    zendesk_email: str = Field("agent@example.com", alias="ZENDESK_EMAIL")
    zendesk_api_token: SecretStr = Field(
        SecretStr("local-zendesk-token"), alias="ZENDESK_API_TOKEN"
    )
    salesforce_base_url: str = Field("http://127.0.0.1:8182", alias="SALESFORCE_BASE_URL")
    salesforce_client_id: str = Field("local-client", alias="SALESFORCE_CLIENT_ID")
    salesforce_client_secret: SecretStr = Field(
        SecretStr("local-secret"), alias="SALESFORCE_CLIENT_SECRET"
    )

    company_subdomain: str = Field("demo", alias="COMPANY_SUBDOMAIN")
    # Comma-separated Apps API tokens (several so tokens can be rotated without downtime).
    apps_api_tokens: SecretStr = Field(SecretStr("local-apps-token"), alias="APPS_API_TOKENS")
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
    cx_webhook_secret: SecretStr = Field(
        SecretStr("local-cx-webhook-secret"), alias="CX_WEBHOOK_SECRET"
    )
    company_secret: SecretStr = Field(
        SecretStr("local-company-secret-at-least-32-bytes!"), alias="COMPANY_SECRET"
    )
    portal_token_secret: SecretStr = Field(
        SecretStr("local-portal-secret-at-least-32-bytes!!"), alias="PORTAL_TOKEN_SECRET"
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

    # People's Identity Platform ID tokens (core/auth/id_tokens.py): Google's securetoken
    # certificates, and the Identity Toolkit API asked about revoked or disabled accounts
    # before a write. The cloud-shaped suite points both at its IAM stand-in.
    person_token_certs_url: str = Field(SECURETOKEN_CERTS_URL, alias="PERSON_TOKEN_CERTS_URL")
    identity_toolkit_url: str = Field(IDENTITY_TOOLKIT_URL, alias="IDENTITY_TOOLKIT_URL")

    recordings_bucket: str = Field("recordings", alias="RECORDINGS_BUCKET")
    media_bucket: str = Field("media", alias="MEDIA_BUCKET")
    tasks_location: str = Field("us-central1", alias="TASKS_LOCATION")
    recordings_queue: str = Field("recording-delivery", alias="RECORDINGS_QUEUE")
    scheduled_calls_queue: str = Field("scheduled-callbacks", alias="SCHEDULED_CALLS_QUEUE")
    session_events_topic: str = Field("session-events", alias="SESSION_EVENTS_TOPIC")
    alerts_topic: str = Field("alerts", alias="ALERTS_TOPIC")

    # Who may deliver Pub/Sub pushes and Cloud Tasks (core/push.py): Google-signed OIDC ID
    # tokens, checked against these certificates (the suite's local issuer on emulators).
    oidc_certs_url: str = Field(GOOGLE_CERTS_URL, alias="OIDC_CERTS_URL")
    push_service_account: str | None = Field(None, alias="PUSH_SERVICE_ACCOUNT")
    # The emulator suite's Pub/Sub and Cloud Tasks emulators attach no token. Honoured on
    # the emulators only, never when K_SERVICE is set (the cloud, the cloud-shaped suite).
    emulator_unauthenticated_push: bool = Field(False, alias="EMULATOR_UNAUTHENTICATED_PUSH")

    # The web console's origin when it is served from elsewhere than console_http's own URL
    # (a custom domain); console_http's origin (from FUNCTION_URLS) is always allowed.
    console_origin: str = Field("", max_length=2048, alias="CONSOLE_ORIGIN")
    # Public Firebase web config the console signs in with (not secrets: the browser gets them).
    console_firebase_api_key: str = Field("", max_length=256, alias="CONSOLE_FIREBASE_API_KEY")
    console_firebase_auth_domain: str = Field(
        "", max_length=256, alias="CONSOLE_FIREBASE_AUTH_DOMAIN"
    )

    tts_engine: str = Field("google", alias="TTS_ENGINE")  # google | espeak
    config_cache_seconds: float = Field(15.0, alias="CONFIG_CACHE_SECONDS")
    log_level: str = Field("INFO", alias="LOG_LEVEL")

    @property
    def on_emulators(self) -> bool:
        """Talking to the emulators (clients use anonymous credentials)."""
        return bool(self.firestore_emulator_host)

    @property
    def emulator_affordances(self) -> bool:
        """Test conveniences (`at=` on decisions, function-served media URLs, unsigned
        pushes): on the emulator suite only, never with K_SERVICE set."""
        return self.on_emulators and not in_cloud()

    @property
    def allow_unauthenticated_push(self) -> bool:
        return self.emulator_unauthenticated_push and self.emulator_affordances

    @property
    def apps_api_token_list(self) -> list[str]:
        tokens = self.apps_api_tokens.get_secret_value()
        return [t.strip() for t in tokens.split(",") if t.strip()]

    @property
    def console_origins(self) -> frozenset[str]:
        """Origins whose pages may call the API functions from a browser (CORS)."""
        import json
        from urllib.parse import urlsplit

        out = {o.strip().rstrip("/") for o in self.console_origin.split(",") if o.strip()}
        url = json.loads(self.function_urls_json or "{}").get("console_http")
        if url:
            parts = urlsplit(url)
            out.add(f"{parts.scheme}://{parts.netloc}")
        return frozenset(out)

    def function_url(self, name: str) -> str:
        """Public URL of another function (by entry-point name)."""
        import json

        urls: dict[str, str] = json.loads(self.function_urls_json or "{}")
        if name not in urls:
            raise KeyError(f"FUNCTION_URLS has no entry for {name!r}")
        return urls[name].rstrip("/")


@cached
def settings() -> Settings:
    return _load(Settings, "settings")


def reset_settings() -> None:
    """Tests change the environment between cases: forget the settings read so far (every
    other per-process cache too: `core.caches.reset`)."""
    settings.cache_clear()  # type: ignore[attr-defined]
    section.cache_clear()  # type: ignore[attr-defined]
    _forget_withheld()


# -- capability settings ----------------------------------------------------------------
SECTIONS: list[type[Section]] = []


class Section(EnvModel):
    """One capability's settings: field `x` is read from PREFIX + "X" (unless the field names
    its own alias). Declare with `model_config = Section.config("RECORDINGS_")`; load with
    `section(Model)` (cached, checked like `Settings`)."""

    prefix: ClassVar[str] = ""

    @staticmethod
    def config(prefix: str) -> ConfigDict:
        return ConfigDict(extra="ignore", alias_generator=lambda name: prefix + name.upper())

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        gen = cls.model_config.get("alias_generator")
        cls.prefix = gen("") if callable(gen) else ""
        if cls not in SECTIONS:
            SECTIONS.append(cls)

    @classmethod
    def env_vars(cls) -> dict[str, str]:
        """Field name => env var."""
        return {n: f.alias or n for n, f in cls.model_fields.items()}


@cached
def section(model: type[S]) -> S:
    return _load(model, f"{model.prefix.rstrip('_').lower() or model.__name__} settings")


@on_reset
def _forget_withheld() -> None:
    global _WITHHELD_NAMES
    _WITHHELD_NAMES = frozenset()
