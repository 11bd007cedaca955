"""Media for requests end to end: streamed photos (the 5th refused), a screenshot through a
signed upload URL, video, content checks, agent read URLs, retention."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.helpers.smartactions import (
    bearer,
    bucket_names,
    events_of,
    exe_bytes,
    jpeg_bytes,
    local_path,
    mp4_bytes,
    png_bytes,
)


def _ask(sa: Any, sid: str, token: str, **body: Any) -> str:
    r = sa.post(f"/agent/sessions/{sid}/smartactions", json=body, headers=bearer(token))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["request"]["id"]


def _send(
    sa: Any, sid: str, rid: str, token: str, data: bytes, ctype: str = "application/octet-stream"
) -> Any:
    return sa.post(
        f"/sdk/sessions/{sid}/smartactions/{rid}/media",
        data=data,
        headers=bearer(token) | {"Content-Type": ctype},
    )


def test_four_photos_then_the_fifth_refused(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
    clock: Any,
) -> None:
    sid = live_session("cust-p")
    me, alex = sdk_token("cust-p"), bearer(portal_token("alex"))
    rid = _ask(sa, sid, portal_token("alex"), kind="photo", prompt="Photos of the damage")
    photos = [png_bytes(), jpeg_bytes(), png_bytes(extra=10), png_bytes(extra=20)]
    for i, data in enumerate(photos):
        r = _send(sa, sid, rid, me, data)
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["request"]["media_count"] == i + 1
    r = _send(sa, sid, rid, me, png_bytes(extra=30))
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["error"] == {
        "code": "too_many_files",
        "field": "media",
        "message": "media: this photo request takes at most 4 file(s)",
        "errors": [{"field": "media", "problem": "at most 4"}],
    }
    assert len(bucket_names(f"sessions/{sid}/")) == 4  # the 5th never reached the bucket

    r = sa.post(f"/sdk/sessions/{sid}/smartactions/{rid}/fulfil", json={}, headers=bearer(me))
    assert r.status_code == 200 and r.get_json()["request"]["state"] == "fulfilled"

    # The agent reads each photo through a short-lived URL: exact bytes back.
    got = sa.get(f"/agent/sessions/{sid}/smartactions/{rid}", headers=alex).get_json()["request"]
    assert [m["content_type"] for m in got["media"]] == [
        "image/png",
        "image/jpeg",
        "image/png",
        "image/png",
    ]
    for item, data in zip(got["media"], photos, strict=True):
        assert item["url_expires_at"] - clock.now() <= 300
        r = sa.get(local_path(item["url"]))
        assert r.status_code == 200 and r.data == data
        assert r.headers["Content-Type"] == item["content_type"]
    url = local_path(got["media"][0]["url"])
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert sa.get(tampered).status_code == 403
    assert sa.put(url, data=b"x").status_code == 405
    clock.advance(301)
    r = sa.get(url)
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "url_expired"
    kinds = [e["type"] for e in events_of(sid)]
    assert kinds.count("smartaction.media_added") == 4


def test_content_checks_on_streamed_media(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
    monkeypatch: Any,
) -> None:
    sid = live_session("cust-v")
    me = sdk_token("cust-v")
    video = _ask(sa, sid, portal_token("alex"), kind="video")
    # Declared type means nothing: a PNG sent as video/mp4 is still a PNG.
    r = _send(sa, sid, video, me, png_bytes(), "video/mp4")
    assert r.status_code == 415 and r.get_json()["error"]["field"] == "body"
    assert "PNG" in r.get_json()["error"]["message"]
    r = _send(sa, sid, video, me, exe_bytes(), "video/mp4")
    assert r.status_code == 415 and "Windows executable" in r.get_json()["error"]["message"]
    # (werkzeug's test client sends no Content-Length for an empty body)
    assert _send(sa, sid, video, me, b"").status_code == 411
    assert _send(sa, sid, video, me, b"\x00").status_code == 415

    monkeypatch.setenv("SMARTACTIONS_MAX_VIDEO_BYTES", "1000")
    from core.settings import reset_settings

    reset_settings()
    r = _send(sa, sid, video, me, mp4_bytes(4000))
    assert r.status_code == 413 and r.get_json()["error"]["field"] == "body"
    assert bucket_names(f"sessions/{sid}/") == []
    monkeypatch.delenv("SMARTACTIONS_MAX_VIDEO_BYTES")
    reset_settings()

    clip = mp4_bytes(50_000)
    r = _send(sa, sid, video, me, clip, "video/mp4")
    assert r.status_code == 201, r.get_json()
    assert _send(sa, sid, video, me, clip).status_code == 409  # one video per request
    # Verification (and text) requests take no media.
    text = _ask(sa, sid, portal_token("alex"), kind="verification")
    r = _send(sa, sid, text, me, png_bytes())
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_media"
    r = sa.post(f"/sdk/sessions/{sid}/smartactions/{video}/fulfil", json={}, headers=bearer(me))
    assert r.status_code == 200
    item = sa.get(
        f"/agent/sessions/{sid}/smartactions/{video}", headers=bearer(portal_token("alex"))
    ).get_json()["request"]["media"][0]
    assert item["content_type"] == "video/mp4" and item["size"] == len(clip)
    assert sa.get(local_path(item["url"])).data == clip
    # Media-less fulfil of a media request is refused, naming the field.
    shot = _ask(sa, sid, portal_token("alex"), kind="screenshot")
    r = sa.post(f"/sdk/sessions/{sid}/smartactions/{shot}/fulfil", json={}, headers=bearer(me))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "media"


def test_screenshot_through_signed_upload_url(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
) -> None:
    sid = live_session("cust-s")  # a mobile SDK chat takes screenshots
    me = bearer(sdk_token("cust-s"))
    rid = _ask(sa, sid, portal_token("alex"), kind="screenshot")
    base = f"/sdk/sessions/{sid}/smartactions/{rid}"
    r = sa.post(f"{base}/uploads", json={"content_type": "video/mp4", "size": 10}, headers=me)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "content_type"

    # 1) an .exe uploaded as image/png: stored by the URL, refused at verify, then gone.
    up = sa.post(
        f"{base}/uploads", json={"content_type": "image/png", "size": 316}, headers=me
    ).get_json()["upload"]
    assert up["method"] == "PUT" and up["object"].startswith(f"sessions/{sid}/")
    r = sa.put(local_path(up["url"]), data=exe_bytes(), headers=up["headers"])
    assert r.status_code == 200
    assert bucket_names(f"sessions/{sid}/") == [up["object"]]
    r = sa.post(f"{base}/uploads/verify", json={"object": up["object"]}, headers=me)
    assert r.status_code == 415 and r.get_json()["error"]["field"] == "object"
    assert bucket_names(f"sessions/{sid}/") == []
    # The URL is create-only and bound to its content type.
    assert (
        sa.put(
            local_path(up["url"]), data=png_bytes(), headers={"Content-Type": "image/jpeg"}
        ).status_code
        == 403
    )

    # 2) a real PNG: verified, linked, stamped with retention, readable by the agent.
    up = sa.post(
        f"{base}/uploads", json={"content_type": "image/png", "size": 100}, headers=me
    ).get_json()["upload"]
    shot = png_bytes(extra=64)
    assert sa.put(local_path(up["url"]), data=shot, headers=up["headers"]).status_code == 200
    assert sa.put(local_path(up["url"]), data=shot, headers=up["headers"]).status_code == 412
    r = sa.post(f"{base}/uploads/verify", json={"object": up["object"]}, headers=me)
    assert r.status_code == 201, r.get_json()
    r = sa.post(f"{base}/uploads/verify", json={"object": up["object"]}, headers=me)
    assert r.status_code == 200  # a retried verify links nothing twice
    r = sa.post(
        f"{base}/uploads/verify", json={"object": f"sessions/other/{rid}/x.png"}, headers=me
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "object"
    assert sa.post(f"{base}/fulfil", json={}, headers=me).status_code == 200
    got = sa.get(
        f"/agent/sessions/{sid}/smartactions/{rid}", headers=bearer(portal_token("alex"))
    ).get_json()["request"]
    assert len(got["media"]) == 1 and sa.get(local_path(got["media"][0]["url"])).data == shot
    from smartactions import media

    _, _, meta, _ = media.inspect(up["object"])
    assert meta["session_id"] == sid and meta["request_id"] == rid and meta["retain_until"]


def test_retention(
    sa: Any,
    live_session: Callable[..., str],
    portal_token: Callable[[str], str],
    sdk_token: Callable[..., str],
    clock: Any,
) -> None:
    from smartactions import media, retention
    from smartactions.config import sa_settings

    sid = live_session("cust-r")
    me = sdk_token("cust-r")
    rid = _ask(sa, sid, portal_token("alex"), kind="photo", max_count=1)
    assert _send(sa, sid, rid, me, jpeg_bytes()).status_code == 201
    name = bucket_names(f"sessions/{sid}/")[0]
    blob = media.bucket().get_blob(name)
    days = sa_settings().media_retention_days
    assert blob.custom_time is not None  # the lifecycle rule counts from here
    from datetime import datetime

    until = datetime.fromisoformat(blob.metadata["retain_until"]).timestamp()
    assert abs(until - (clock.now() + days * 86400)) < 60

    # A day before the end the agent's URL is capped at the time left; after it, no URL.
    clock.advance(days * 86400 - 100)
    item = sa.get(
        f"/agent/sessions/{sid}/smartactions/{rid}", headers=bearer(portal_token("alex"))
    ).get_json()["request"]["media"][0]
    assert item["url_expires_at"] <= until + 1
    assert retention.purge(prefix=f"sessions/{sid}/") == []
    clock.advance(200)
    item = sa.get(
        f"/agent/sessions/{sid}/smartactions/{rid}", headers=bearer(portal_token("alex"))
    ).get_json()["request"]["media"][0]
    assert item["url"] is None and item["retention_expired"] is True
    assert retention.purge(prefix=f"sessions/{sid}/") == [name]
    assert bucket_names(f"sessions/{sid}/") == []


def test_gcs_v4_signing_path(suite: Any, monkeypatch: Any) -> None:
    """The production path (V4 signed URLs) on the emulator, with a throwaway key.

    The storage emulator serves V4 URLs without checking signature or expiry, so this only
    shows the URL is well formed, bound to its TTL / headers and reaches the object; the
    checks that can fail on the emulator are the function fallback's (test above).
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    from smartactions import media, signing

    monkeypatch.setenv("SMARTACTIONS_SIGNING", "gcs_v4")
    from core.settings import reset_settings

    reset_settings()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    creds = service_account.Credentials.from_service_account_info(
        {
            "type": "service_account",
            "client_email": "media@demo.iam.gserviceaccount.com",
            "private_key": pem,
            "token_uri": "https://oauth2.googleapis.com/token",
            "project_id": "demo",
        }
    )
    name = "sessions/v4-test/x.png"
    media.bucket().blob(name).upload_from_string(png_bytes(), content_type="image/png")
    url, _ = signing.read_url(name, 120, credentials=creds)
    assert "X-Goog-Algorithm=GOOG4-RSA-SHA256" in url and "X-Goog-Expires=120" in url
    import requests

    assert requests.get(url, timeout=10).content == png_bytes()
    put_url, headers, _ = signing.upload_url(
        "sessions/v4-test/y.png",
        "image/png",
        1000,
        {"session_id": "v4-test"},
        60,
        credentials=creds,
    )
    assert headers["x-goog-content-length-range"] == "0,1000"
    assert "x-goog-content-length-range" in put_url.lower()
    media.delete(name)
