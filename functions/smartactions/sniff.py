"""Media type by content (magic bytes), never by file name or declared Content-Type."""

from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 64  # enough for every signature below


@dataclass(frozen=True)
class MediaType:
    name: str  # png | jpeg | mp4
    content_type: str
    extension: str
    family: str  # image | video


PNG = MediaType("png", "image/png", "png", "image")
JPEG = MediaType("jpeg", "image/jpeg", "jpg", "image")
MP4 = MediaType("mp4", "video/mp4", "mp4", "video")

# ISO base-media brands that are MP4 (QuickTime "qt  " is .mov, not accepted).
_MP4_BRANDS = frozenset(
    {
        b"isom",
        b"iso2",
        b"iso3",
        b"iso4",
        b"iso5",
        b"iso6",
        b"mp41",
        b"mp42",
        b"avc1",
        b"M4V ",
        b"dash",
        b"mmp4",
        b"MSNV",
        b"3gp5",
    }
)

# Recognised only to say clearly what was refused.
_KNOWN_OTHER: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O / Java class file"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"GIF8", "a GIF image"),
    (b"#!", "a script"),
    (b"<", "markup (HTML / SVG / XML)"),
)


def sniff(head: bytes) -> MediaType | None:
    """The accepted media type of these first bytes, or None."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        return PNG
    if head[:3] == b"\xff\xd8\xff":
        return JPEG
    if len(head) >= 12 and head[4:8] == b"ftyp":
        box = int.from_bytes(head[:4], "big")
        if box >= 16 and head[8:12] in _MP4_BRANDS:
            return MP4
    return None


def describe(head: bytes) -> str:
    """Human words for content we refuse (used in 4xx messages)."""
    if not head:
        return "empty"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return f"an ISO media file with brand {head[8:12].decode('latin-1')!r}"
    for magic, words in _KNOWN_OTHER:
        if head.startswith(magic):
            return words
    return "of an unrecognised type"


EXTENSIONS: dict[str, MediaType] = {"png": PNG, "jpg": JPEG, "jpeg": JPEG, "mp4": MP4}
