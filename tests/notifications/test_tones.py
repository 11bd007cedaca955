"""Custom tones and whisper clips: validated by content, previewable, replaceable,
deletable; an upload survives selecting a built-in tone."""

from __future__ import annotations

import io
import json
import time
from urllib.parse import urlsplit

from tests.helpers.notifications import SentBody, mp3_frames, mp3_seconds


def _upload(
    client,
    auth,
    data: bytes,
    filename: str = "ring.mp3",
    name: str | None = None,
    path: str = "/notifications/tones",
    method: str = "POST",
):
    form = {"file": (io.BytesIO(data), filename)}
    if name:
        form["name"] = name
    return client.open(
        path, method=method, data=form, content_type="multipart/form-data", headers=auth("ada")
    )


def _fetch(client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path, query_string=parts.query)


def test_fake_mp3_is_rejected_and_nothing_is_stored(suite, tree, client, auth) -> None:
    import wave

    wav = io.BytesIO()
    with wave.open(wav, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(16000))
    fakes = {
        "text": b"definitely an mp3, trust me" * 20,
        "wav renamed": wav.getvalue(),
        "png renamed": b"\x89PNG\r\n\x1a\n" + bytes(400),
        "one sync word then junk": b"\xff\xfb\x90\xc4" + b"junk" * 300,
        "frames then junk": mp3_frames(5) + b"<html>not audio</html>" * 10,
        "id3 tag only": mp3_frames(0, id3_title="Ring"),
        "empty": b"",
    }
    for label, data in fakes.items():
        r = _upload(client, auth, data, filename="ring.mp3")
        assert r.status_code == 415, (label, r.get_json())
        err = r.get_json()["error"]
        assert err["field"] == "file" and "not a valid MP3" in err["message"], label
    big = mp3_frames(2600)  # ~1.08 MB of valid frames: over the size limit
    r = _upload(client, auth, big)
    assert r.status_code == 413 and r.get_json()["error"]["field"] == "file"
    r = client.post(
        "/notifications/tones?name=raw", data=big, content_type="audio/mpeg", headers=auth("ada")
    )
    assert r.status_code == 413
    listing = client.get("/notifications/tones", headers=auth("ada")).get_json()
    assert listing["custom"] == []
    assert {t["id"] for t in listing["builtin"]} >= {"classic-ring", "chime", "pop"}


def test_real_mp3_upload_preview_replace_delete(suite, tree, client, auth) -> None:
    data = mp3_frames(40, id3_title="Ring", id3v1=True)
    r = _upload(client, auth, data, filename="whatever.bin", name="Team ring")
    assert r.status_code == 201, r.get_json()
    tone = r.get_json()["tone"]
    assert tone["name"] == "Team ring" and tone["size"] == len(data)
    assert tone["duration_seconds"] == mp3_seconds(40) and tone["sample_rate"] == 44100
    tid = tone["id"]

    prev = client.get(f"/notifications/tones/{tid}/preview", headers=auth("ada")).get_json()
    assert prev["expires_at"] - time.time() <= 15 * 60 + 5
    played = _fetch(client, prev["url"])
    assert played.status_code == 200 and played.data == data
    assert played.mimetype == "audio/mpeg"
    forged = prev["url"].replace("sig=", "sig=0")
    assert _fetch(client, forged).status_code == 403
    stretched = prev["url"].replace(f"exp={prev['expires_at']}", f"exp={prev['expires_at'] + 99}")
    assert _fetch(client, stretched).status_code == 403

    # Replace with a different (MPEG-2) recording: same id, new content, old object gone.
    new = mp3_frames(30, mpeg2=True)
    r = _upload(client, auth, new, path=f"/notifications/tones/{tid}", method="PUT")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["tone"]["version"] == 2
    assert r.get_json()["tone"]["duration_seconds"] == mp3_seconds(30, mpeg2=True)
    assert _fetch(client, prev["url"]).status_code == 404
    prev2 = client.get(f"/notifications/tones/{tid}/preview", headers=auth("ada")).get_json()
    assert _fetch(client, prev2["url"]).data == new
    bad = _upload(client, auth, b"nope" * 100, path=f"/notifications/tones/{tid}", method="PUT")
    assert bad.status_code == 415
    assert _fetch(client, prev2["url"]).data == new  # a rejected replacement changes nothing

    # Select it, then select a built-in: the upload stays available.
    def patch(body):
        return client.patch(
            "/notifications/queues/dsl/settings",
            data=json.dumps(body),
            content_type="application/json",
            headers=auth("ada"),
        )

    assert patch({"calls": {"tones": {"incoming_call": {"custom": tid}}}}).status_code == 200
    r = client.delete(f"/notifications/tones/{tid}", headers=auth("ada"))
    assert r.status_code == 409
    assert (
        "queues.dsl.notifications.calls.tones.incoming_call.custom"
        in r.get_json()["error"]["message"]
    )
    r = patch({"calls": {"tones": {"incoming_call": {"builtin": "chime"}}}})
    assert r.get_json()["effective"]["calls"]["tones"]["incoming_call"] == {"builtin": "chime"}
    listing = client.get("/notifications/tones", headers=auth("ada")).get_json()
    assert [t["id"] for t in listing["custom"]] == [tid]

    assert client.delete(f"/notifications/tones/{tid}", headers=auth("ada")).status_code == 200
    assert client.get(f"/notifications/tones/{tid}/preview", headers=auth("ada")).status_code == 404
    assert _fetch(client, prev2["url"]).status_code == 404
    assert client.get("/notifications/tones", headers=auth("ada")).get_json()["custom"] == []


def test_builtin_preview_plays_and_tone_api_needs_settings_edit(suite, tree, client, auth) -> None:
    import wave

    prev = client.get("/notifications/tones/classic-ring/preview", headers=auth("ada"))
    assert prev.status_code == 200
    audio = _fetch(client, prev.get_json()["url"])
    with wave.open(io.BytesIO(audio.data)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert abs(seconds - prev.get_json()["duration_seconds"]) < 0.01
    assert client.get("/notifications/tones", headers=auth("alex")).status_code == 403
    r = _upload(client, auth, mp3_frames(5))
    assert r.status_code == 201
    r = client.post(
        "/notifications/tones",
        data={"file": (io.BytesIO(mp3_frames(5)), "a.mp3")},
        content_type="multipart/form-data",
        headers={},
    )
    assert r.status_code == 401
    r = client.put(
        "/notifications/tones/classic-ring",
        data=mp3_frames(5),
        content_type="audio/mpeg",
        headers=auth("ada"),
    )
    assert r.status_code == 404


def test_hostile_ids_and_links_are_4xx(suite, tree, client, auth) -> None:
    for cid in ["..", ".", "__x__", "a" * 2000, "%00", "t_zz"]:
        r = client.get(f"/notifications/tones/{cid}/preview", headers=auth("ada"))
        assert r.status_code == 404, (cid, r.status_code)
        r = client.delete(f"/notifications/whisper-clips/{cid}", headers=auth("ada"))
        assert r.status_code == 404, (cid, r.status_code)
    assert client.get("/media/x?exp=abc&sig=1").status_code == 403
    assert client.get("/media/x").status_code == 403
    r = client.post(
        "/notifications/tones",
        data={"file": (io.BytesIO(mp3_frames(5)), "a.mp3"), "owner": "me"},
        content_type="multipart/form-data",
        headers=auth("ada"),
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "owner"


def test_team_scoped_editor_changes_only_clips_of_their_queues(suite, tree, client, auth) -> None:
    """sue edits settings of the support team only: she may not replace or delete a clip
    the sales queue (or the center) plays, nor another user's unused upload."""

    def upload(user: str, frames: int, path: str = "/notifications/tones") -> str:
        r = client.post(
            path,
            data={"file": (io.BytesIO(mp3_frames(frames)), "a.mp3")},
            content_type="multipart/form-data",
            headers=auth(user),
        )
        assert r.status_code == 201, r.get_json()
        return next(iter(r.get_json().values()))["id"]

    def select(where: str, clip: str, kind: str = "calls", slot: str = "incoming_call") -> None:
        r = client.patch(
            where,
            data=json.dumps({kind: {"tones": {slot: {"custom": clip}}}}),
            content_type="application/json",
            headers=auth("ada"),
        )
        assert r.status_code == 200, r.get_json()

    def replace(user: str, clip: str, frames: int):
        return client.put(
            f"/notifications/tones/{clip}",
            data=mp3_frames(frames),
            content_type="audio/mpeg",
            headers=auth(user),
        )

    q = "/notifications/queues/{}/settings".format
    sales, shared, support = upload("ada", 10), upload("ada", 11), upload("ada", 12)
    select(q("sales"), sales)
    select(q("internet"), shared)
    select(q("sales"), shared, "chats", "new_chat")  # one support and one sales queue
    select(q("dsl"), support)
    for clip in (sales, shared):
        r = replace("sue", clip, 20)
        assert r.status_code == 403, r.get_json()
        assert r.get_json()["error"]["field"] == "id"
        assert "queues.sales" in r.get_json()["error"]["message"]
        r = client.delete(f"/notifications/tones/{clip}", headers=auth("sue"))
        assert r.status_code == 403, r.get_json()
        tone = client.get(f"/notifications/tones/{clip}", headers=auth("ada")).get_json()["tone"]
        assert tone["version"] == 1  # nothing changed

    # A clip only support-team queues play is sue's to replace.
    r = replace("sue", support, 21)
    assert r.status_code == 200 and r.get_json()["tone"]["version"] == 2, r.get_json()

    # An unused upload: only its uploader (or an all-queues editor) removes it.
    clips = "/notifications/whisper-clips"
    unused, own = upload("ada", 13, clips), upload("sue", 14, clips)
    r = client.delete(f"{clips}/{unused}", headers=auth("sue"))
    assert r.status_code == 403 and r.get_json()["error"]["field"] == "id"
    assert client.delete(f"{clips}/{own}", headers=auth("sue")).status_code == 200
    assert client.delete(f"{clips}/{unused}", headers=auth("ada")).status_code == 200

    # Selected at the center level, a clip reaches every queue: all-queues editors only.
    select("/notifications/settings", support)
    assert replace("sue", support, 22).status_code == 403
    assert replace("ada", support, 22).status_code == 200


def test_chunked_upload_over_the_limit_is_refused_before_the_rest_is_read(
    suite, tree, client, auth
) -> None:
    from core import mp3

    total = 8 * mp3.MAX_BYTES  # a client that keeps sending
    raw = SentBody(mp3_frames(20) + bytes(total))
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n'
        "Content-Type: audio/mpeg\r\n\r\n"
    ).encode()
    multipart = SentBody(head + bytes(total) + f"\r\n--{boundary}--\r\n".encode())
    cases = {
        "raw": (raw, "audio/mpeg"),
        "multipart": (multipart, f"multipart/form-data; boundary={boundary}"),
    }
    for label, (body, ctype) in cases.items():
        r = client.post(
            "/notifications/tones",
            input_stream=body,
            content_type=ctype,
            headers={**auth("ada"), "Transfer-Encoding": "chunked"},  # no Content-Length
            environ_overrides={"wsgi.input_terminated": True},  # as gunicorn serves chunked
        )
        assert r.status_code == 413, (label, r.status_code, r.get_data()[:200])
        assert r.get_json()["error"]["field"] == "file", label
        assert 0 < body.consumed <= mp3.MAX_BYTES + 64 * 1024, (label, body.consumed)
    # Under the limit, a chunked upload is as good as any.
    ok = SentBody(mp3_frames(20))
    r = client.post(
        "/notifications/tones?name=chunked",
        input_stream=ok,
        content_type="audio/mpeg",
        headers={**auth("ada"), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert r.status_code == 201, r.get_json()
    assert (
        client.get("/notifications/tones", headers=auth("ada")).get_json()["custom"][0]["name"]
        == "chunked"
    )


def test_served_chunked_upload_over_the_limit_is_not_read_to_its_end(
    functions, tree, portal_token
) -> None:
    """Through the served function: a generator body goes chunked, without Content-Length.
    The server stops reading at the limit: the client either gets the 413 or, still
    sending, sees the connection closed; either way most of the body was never taken."""
    import requests

    from core import mp3

    sent = {"bytes": 0}
    total = 64 * mp3.MAX_BYTES

    def body(size: int, piece: bytes = mp3_frames(20) + bytes(256 * 1024)):
        while sent["bytes"] < size:
            sent["bytes"] += len(piece)
            yield piece

    url = f"{functions.function_url('notifications_http')}/notifications/tones?name=c"
    headers = {"Authorization": f"Bearer {portal_token('ada')}", "Content-Type": "audio/mpeg"}
    try:
        r = requests.post(url, data=body(total), headers=headers, timeout=60)
    except requests.ConnectionError:
        pass  # the server closed while the client was still sending
    else:
        assert r.request.headers.get("Transfer-Encoding") == "chunked"
        assert "Content-Length" not in r.request.headers
        assert r.status_code == 413 and r.json()["error"]["field"] == "file", r.text
    assert sent["bytes"] < total // 4, sent
    sent["bytes"] = 0
    r = requests.post(url, data=body(1, mp3_frames(20)), headers=headers, timeout=30)
    assert r.status_code == 201, r.text  # under the limit, chunked is as good as any
