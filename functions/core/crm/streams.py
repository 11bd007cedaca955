"""Request bodies of known length that are read, never held: requests sends a file-like
object with `__len__` as a Content-Length body, reading it block by block."""

from __future__ import annotations

from typing import Protocol


class Readable(Protocol):
    """A body read block by block (a bucket range, a slice of one)."""

    def read(self, n: int = -1, /) -> bytes: ...


class Concat:
    """Several byte sources one after another (e.g. multipart head, file part, tail)."""

    def __init__(self, pieces: list[bytes | tuple[Readable, int]]) -> None:
        self._pieces = pieces
        self._len = sum(len(p) if isinstance(p, bytes) else p[1] for p in pieces)
        self._i = 0
        self._pos = 0  # within the current piece

    def __len__(self) -> int:
        return self._len

    def read(self, n: int = -1) -> bytes:
        out = bytearray()
        want = self._len if n is None or n < 0 else n
        while len(out) < want and self._i < len(self._pieces):
            piece = self._pieces[self._i]
            size = len(piece) if isinstance(piece, bytes) else piece[1]
            take = min(want - len(out), size - self._pos)
            if isinstance(piece, bytes):
                chunk = piece[self._pos : self._pos + take]
            else:
                chunk = piece[0].read(take)
                if not chunk and take:
                    raise OSError("source ended before its announced length")
            out += chunk
            self._pos += len(chunk)
            if self._pos >= size:
                self._i, self._pos = self._i + 1, 0
        return bytes(out)
