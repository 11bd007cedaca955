"""Run one delivery task in a separate process (so a test can kill it mid-way).

Usage: python -m tests.recordings.run_worker RECORDING_SID GEN
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]


def main() -> None:
    from recordings import worker

    print(json.dumps(worker.run(sys.argv[1], int(sys.argv[2]))), flush=True)


if __name__ == "__main__":
    main()
