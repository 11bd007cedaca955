"""Audio in the Settings pages: a fake .mp3 that is really a PNG is refused with the API's
message and nothing is stored (language messages and custom tones); a real MP3 is taken;
a message is heard through text-to-speech before it is saved."""

from __future__ import annotations

from typing import Any

import requests

from tests.helpers.console import axe_violations, sign_in
from tests.helpers.notifications import mp3_frames

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(400)

# Each function answers its first request after a cold start (imports), which on a
# loaded CI machine takes seconds: the first wait of a page allows for it.
SLOW = 60_000


def _file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "audio/mpeg", "buffer": data}


def test_png_renamed_mp3_is_refused_for_a_language_message(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.goto(console + "#/settings/languages")
    page.get_by_test_id("language-form").wait_for()
    upload = page.get_by_test_id("message-after_hours_message-upload")
    upload.set_input_files(_file("greeting.mp3", PNG))
    error = page.get_by_test_id("language-audio-error")
    error.wait_for()
    assert "not a valid MP3" in error.inner_text()
    assert page.get_by_test_id("message-after_hours_message-audio").inner_text() == "none"
    assert axe_violations(page) == []

    # A real MP3 is taken, named by its content, and saved into the message.
    upload.set_input_files(_file("greeting.mp3", mp3_frames(40)))
    audio = page.get_by_test_id("message-after_hours_message-audio")
    page.wait_for_function(
        "el => el.textContent.startsWith('messages/')", arg=audio.element_handle()
    )
    assert page.get_by_test_id("language-audio-error").count() == 0
    name = audio.inner_text()
    page.get_by_test_id("language-save").click()
    page.get_by_test_id("language-status").get_by_text("Saved.").wait_for()
    token = signed_in("ada")
    r = requests.get(
        functions.function_url("settings_http") + "/settings/languages/en-US",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.json()["data"]["after_hours_message"]["audio"] == name


def test_png_renamed_mp3_is_refused_as_a_custom_tone(
    page: Any, console: str, functions: Any, signed_in: Any
) -> None:
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.goto(console + "#/settings/notifications")
    page.get_by_test_id("notifications-form").wait_for()
    page.locator("[data-testid='tone-row'][data-tone-id='chime']").wait_for()
    page.get_by_test_id("tone-upload-name").fill("Office bell")
    page.get_by_test_id("tone-upload").set_input_files(_file("bell.mp3", PNG))
    error = page.get_by_test_id("tone-error")
    error.wait_for()
    assert "not a valid MP3" in error.inner_text()
    token = signed_in("ada")
    tones = requests.get(
        functions.function_url("notifications_http") + "/notifications/tones",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert tones["custom"] == []
    assert page.locator("[data-testid='tone-row']").count() == len(tones["builtin"])

    # A real one is listed, can be previewed (a playable link) and chosen as a tone.
    page.get_by_test_id("tone-upload").set_input_files(_file("bell.mp3", mp3_frames(30)))
    row = page.locator("[data-testid='tone-row']", has_text="Office bell")
    row.wait_for()
    tone_id = row.get_attribute("data-tone-id")
    page.get_by_test_id(f"tone-{tone_id}-preview").click()
    src = page.get_by_test_id("tone-preview-audio").get_attribute("src")
    assert src and "/media/" in src and "sig=" in src
    played = requests.get(src, timeout=30)
    assert played.status_code == 200 and played.content == mp3_frames(30)
    page.get_by_test_id("notif-chats-tone-new_chat").select_option(f"custom:{tone_id}")
    page.get_by_test_id("notifications-save").click()
    page.get_by_test_id("notifications-status").get_by_text("Saved.").wait_for()
    r = requests.get(
        functions.function_url("notifications_http") + "/notifications/settings",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.json()["effective"]["chats"]["tones"]["new_chat"] == {"custom": tone_id}


def test_a_message_is_heard_through_text_to_speech_before_saving(page: Any, console: str) -> None:
    page.set_default_timeout(SLOW)
    sign_in(page, console, "ada")
    page.goto(console + "#/settings/languages")
    page.get_by_test_id("language-form").wait_for()
    page.get_by_test_id("message-voicemail_greeting-text").fill("Leave a message, we call back.")
    page.get_by_test_id("message-voicemail_greeting-listen").click()
    audio = page.get_by_test_id("language-preview-audio")
    audio.wait_for(timeout=60_000)
    assert (audio.get_attribute("src") or "").startswith("blob:")
    assert page.get_by_test_id("language-audio-error").count() == 0
