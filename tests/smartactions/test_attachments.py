"""Web chat attachments: .png, .jpg, .mp4 only, judged by content; refusals store nothing."""

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


def _attach(sa: Any, sid: str, token: str, filename: str, data: bytes) -> Any:
    return sa.post(
        f"/sdk/sessions/{sid}/attachments?filename={filename}",
        data=data,
        headers=bearer(token) | {"Content-Type": "application/octet-stream"},
    )


def test_png_that_is_really_an_exe_is_refused_and_nothing_stored(
    sa: Any, live_session: Callable[..., str], sdk_token: Callable[..., str]
) -> None:
    from core.sessions import store

    sid = live_session("web-1", channel="web")
    r = _attach(sa, sid, sdk_token("web-1"), "invoice.png", exe_bytes())
    assert r.status_code == 415
    err = r.get_json()["error"]
    assert err["field"] == "body" and "Windows executable" in err["message"]
    assert "invoice.png" in err["message"]
    assert bucket_names(f"sessions/{sid}/") == []
    assert not store.get(sid).get("attachments")
    assert not [e for e in events_of(sid) if e["type"] == "attachment.added"]


def test_allowed_types_by_name_and_content(
    sa: Any,
    live_session: Callable[..., str],
    sdk_token: Callable[..., str],
    portal_token: Callable[[str], str],
) -> None:
    sid = live_session("web-2", channel="web")
    me = sdk_token("web-2")
    files = {
        "screen.png": png_bytes(),
        "receipt.jpg": jpeg_bytes(),
        "clip.mp4": mp4_bytes(),
        "Photo.JPEG": jpeg_bytes(),
    }
    for name, data in files.items():
        r = _attach(sa, sid, me, name, data)
        assert r.status_code == 201, (name, r.get_json())
    # Refusals: wrong extension, a name that lies about real media, no extension.
    for name, data, field in (
        ("doc.gif", b"GIF89a" + b"\x00" * 50, "query.filename"),
        ("photo.png", jpeg_bytes(), "body"),
        ("clip.mp4", png_bytes(), "body"),
        ("noext", png_bytes(), "query.filename"),
    ):
        r = _attach(sa, sid, me, name, data)
        assert r.status_code == 415 and r.get_json()["error"]["field"] == field, name
    r = sa.post(
        f"/sdk/sessions/{sid}/attachments?filename=a.png&x=1", data=png_bytes(), headers=bearer(me)
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "query.x"
    assert _attach(sa, sid, sdk_token("intruder"), "a.png", png_bytes()).status_code == 404
    assert len(bucket_names(f"sessions/{sid}/")) == 4

    got = sa.get(f"/agent/sessions/{sid}/attachments", headers=bearer(portal_token("alex")))
    items = got.get_json()["attachments"]
    assert [i["filename"] for i in items] == list(files)
    for item, data in zip(items, files.values(), strict=True):
        assert sa.get(local_path(item["url"])).data == data
    assert (
        sa.get(
            f"/agent/sessions/{sid}/attachments", headers=bearer(portal_token("bea"))
        ).status_code
        == 404
    )
    assert len([e for e in events_of(sid) if e["type"] == "attachment.added"]) == 4
