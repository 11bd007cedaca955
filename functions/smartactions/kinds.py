"""What each SmartAction kind asks for and accepts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from smartactions.config import sa_settings
from smartactions.sniff import JPEG, MP4, PNG, MediaType

Kind = Literal["verification", "photo", "screenshot", "video", "text"]
State = Literal["requested", "fulfilled", "declined", "expired"]
KINDS: tuple[str, ...] = ("verification", "photo", "screenshot", "video", "text")
MAX_PHOTOS = 4


@dataclass(frozen=True)
class KindRule:
    media_types: tuple[MediaType, ...]  # empty: the answer is data, not media
    max_count: int

    @property
    def takes_media(self) -> bool:
        return bool(self.media_types)

    def max_bytes(self, mt: MediaType) -> int:
        s = sa_settings()
        return s.max_video_bytes if mt.family == "video" else s.max_image_bytes

    def largest(self) -> int:
        return max((self.max_bytes(m) for m in self.media_types), default=0)


RULES: dict[str, KindRule] = {
    "verification": KindRule((), 0),
    "text": KindRule((), 0),
    "photo": KindRule((PNG, JPEG), MAX_PHOTOS),
    "screenshot": KindRule((PNG, JPEG), 1),
    "video": KindRule((MP4,), 1),
}
