"""HTTP sessions that send a streamed request body in large blocks.

requests hands a file-like body to urllib3, which reads it 16 KiB at a time: a 1 GiB
recording passes 65,536 times through the Python layers that feed it (the length limit,
the hashes of what was streamed, the carrier's response below them). Reading BLOCK bytes
at a time makes that 4,096 times: the 1 GiB pipeline bench took 17.0 s instead of 19.3
on average (bench/recordings_pipeline.py). A block is no larger than the recording
download queue's blocks (recordings/storage_io.CHUNK), so memory stays flat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests

BLOCK = 1 << 18


def session() -> requests.Session:
    """A new session whose connections read request bodies BLOCK bytes at a time."""
    import requests
    from requests.adapters import HTTPAdapter

    class _BlockAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs, blocksize=BLOCK)

    sess = requests.Session()
    adapter = _BlockAdapter()
    sess.mount("https://", adapter)
    sess.mount("http://", adapter)
    return sess
