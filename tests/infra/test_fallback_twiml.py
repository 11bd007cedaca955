"""The static voice fallback: a TwiML document Twilio fetches when our voice webhook fails.

It is rendered by Terraform from a template and the fallback variables; here the same
template is rendered with the defaults (and with other valid values) and compared with
what the twilio library generates for "say the message, then enqueue the caller".
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from twilio.twiml.voice_response import VoiceResponse

from tests.infra import tf

TEMPLATE = tf.INFRA / "twiml" / "voice-fallback.xml.tftpl"


def _render(values: dict[str, str]) -> str:
    """templatefile() for this template: ${name} interpolation only (no directives)."""
    text = TEMPLATE.read_text()
    assert "%{" not in text, "the fallback template uses no template directives"
    names = set(re.findall(r"\$\{(\w+)\}", text))
    assert names == set(values), names
    return re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text)


def _twilio(message: str, language: str, queue: str) -> str:
    r = VoiceResponse()
    r.say(message, language=language)
    r.enqueue(queue)
    return str(r)


def _defaults() -> dict[str, str]:
    v = tf.variables()
    return {
        "message": v["voice_fallback_message"]["default"],
        "language": v["voice_fallback_language"]["default"],
        "queue": v["voice_fallback_queue"]["default"],
    }


def test_object_is_rendered_from_the_template_with_the_variables() -> None:
    obj = tf.resource("google_storage_bucket_object", "voice_fallback")
    assert 'templatefile("${path.module}/twiml/voice-fallback.xml.tftpl"' in obj["content"]
    for var in ("voice_fallback_message", "voice_fallback_language", "voice_fallback_queue"):
        assert f"var.{var}" in obj["content"], var
    assert obj["content_type"] in ("text/xml", "application/xml")
    assert obj["bucket"] == "${google_storage_bucket.twiml.name}"


@pytest.mark.parametrize(
    "values",
    [
        None,  # the defaults
        {"message": "잠시만 기다려 주세요.", "language": "ko-KR", "queue": "q_1"},
        {"message": 'Sorry, we\'re busy: "please" hold.', "language": "en-GB", "queue": "x-y"},
    ],
)
def test_rendered_fallback_is_what_the_twilio_library_generates(
    values: dict[str, str] | None,
) -> None:
    values = values or _defaults()
    rendered = _render(values)
    expected = _twilio(values["message"], values["language"], values["queue"])
    # Same document (twilio escapes quotes in text the same way XML allows them raw).
    assert ET.canonicalize(rendered) == ET.canonicalize(expected)
    root = ET.fromstring(rendered.encode())
    assert root.tag == "Response"
    assert [c.tag for c in root] == ["Say", "Enqueue"]
    assert root[0].text == values["message"] and root[1].text == values["queue"]


def test_the_variables_keep_the_document_well_formed() -> None:
    """The message validation refuses markup, so no value can break the XML."""
    cond = tf.variables()["voice_fallback_message"]["validation"][0]["condition"]
    assert 'regex("[<>&]", var.voice_fallback_message)' in cond
    assert len(tf.variables()["voice_fallback_message"]["default"]) > 20


def test_fallback_is_public_and_independent_of_the_functions() -> None:
    bucket = tf.resource("google_storage_bucket", "twiml")
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "inherited"
    reader = tf.resource("google_storage_bucket_iam_member", "twiml_public")
    assert reader["role"] == "roles/storage.legacyObjectReader"  # get only, no listing
    assert reader["member"] == "allUsers"
    assert reader["bucket"] == "${google_storage_bucket.twiml.name}"
    # Nothing but the fallback lives there, and it does not go through any function.
    objects = tf.resources("google_storage_bucket_object")
    in_bucket = [n for n, o in objects.items() if "twiml" in o["bucket"]]
    assert in_bucket == ["voice_fallback"]
    url = tf.locals_()["voice_fallback_url"]
    assert url.startswith("https://storage.googleapis.com/") and "cloudfunctions" not in url
    out = tf.outputs()["twilio_voice_fallback"]["value"]
    assert out == {"url": "${local.voice_fallback_url}", "method": "GET"}
    assert "voice_fallback" in (tf.INFRA / "README.md").read_text()
