"""One settings helper (a prefix per capability, secrets as SecretStr, the cloud check of
every secret the manifest gives a function) and one reset for every per-process cache."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from core import caches
from core.manifest import manifest
from core.settings import Section, SettingsError, reset_settings, section, settings


class _Demo(Section):
    model_config = Section.config("DEMOCAP_")

    size: int = 3
    token: SecretStr = SecretStr("local-demo-token")


def test_a_section_reads_its_prefix_and_hides_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMOCAP_SIZE", "7")
    monkeypatch.setenv("DEMOCAP_TOKEN", "s3cret-value")
    monkeypatch.setenv("SIZE", "99")  # without the prefix: not ours
    reset_settings()
    s = section(_Demo)
    assert s.size == 7 and s.token.get_secret_value() == "s3cret-value"
    assert "s3cret-value" not in repr(s) and "s3cret-value" not in str(s.model_dump())
    assert _Demo.env_vars() == {"size": "DEMOCAP_SIZE", "token": "DEMOCAP_TOKEN"}
    assert section(_Demo) is s  # read once per instance


def test_a_bad_section_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMOCAP_SIZE", "not-a-number-canary")
    reset_settings()
    with pytest.raises(SettingsError) as exc:
        section(_Demo)
    assert "DEMOCAP_SIZE" in str(exc.value) and "canary" not in str(exc.value)


def test_every_core_secret_is_a_secretstr() -> None:
    from core.settings import Settings
    from recordings.config import RecordingsSettings
    from smartactions.config import SmartActionsSettings

    secrets = set(manifest().secrets.values())
    for model in (Settings, RecordingsSettings, SmartActionsSettings):
        for name, f in model.model_fields.items():
            if f.alias in secrets or name.endswith(("_secret", "_token", "_tokens", "_keys")):
                assert SecretStr in (f.annotation, *getattr(f.annotation, "__args__", ())), (
                    model.__name__,
                    name,
                )


def test_one_reset_forgets_every_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.auth.cached_certs
    import core.auth.id_tokens
    import core.clients
    import core.config.store
    import core.crm.salesforce_http
    import core.crm.zendesk_http
    import core.push
    import core.rate_limit
    import core.tts  # noqa: F401

    names = caches.registered()
    for expected in (
        "core.settings.settings",
        "core.settings.section",
        "core.clients.reset_clients",
        "core.config.store.invalidate",
        "core.rate_limit.reset_local",
        "core.crm.zendesk_http.reset",
        "core.crm.salesforce_http.reset",
        "core.auth.id_tokens._forget_certs",
        "core.auth.cached_certs._forget_certs",
        "core.tts._forget_urls",
    ):
        assert expected in names, expected

    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DEMOCAP_SIZE", "5")
    caches.reset()
    before, demo = settings(), section(_Demo)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("DEMOCAP_SIZE", "6")
    assert settings() is before and section(_Demo) is demo  # cached until reset
    caches.reset()
    assert settings().log_level == "WARNING" and section(_Demo).size == 6
