"""Where the IVR webhook's own time goes: cProfile of N calls through the real app.

The deflection_http entry point runs in this process (functions-framework's Flask app, the
same router and handler as when served) against the emulators, with the demo config
cached; session marks go to the writer thread, which the profile of the request thread
leaves out. Prints the top functions by cumulative and by own time.

    .venv/bin/python -m bench.profile_ivr [--calls 3000] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
import uuid
from urllib.parse import urlencode

from bench.common import MAIN_SOURCE, ROOT, with_suite

OPEN_AT = "2026-06-01T16:00:00Z"
CLOSED_AT = "2026-06-02T03:30:00Z"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument(
        "--callees",
        default=r"ivr.py:\d+\(voice\)|core/http.py:\d+\(dispatch\)",
        help="regex of the functions whose callees to list",
    )
    args = ap.parse_args(argv)
    os.environ.setdefault("SUITE_STANDINS", "twilio")

    def run() -> int:
        import functions_framework
        from twilio.request_validator import RequestValidator

        from core.config.loader import load_file
        from core.config.store import apply
        from core.sessions import marks
        from emulators.suite import TWILIO_TOKEN

        os.environ |= {
            "PUBLIC_URL": "http://bench.local",
            "CONFIG_CACHE_SECONDS": "60",
            "LOG_LEVEL": "WARNING",
        }
        apply(load_file(ROOT / "emulators" / "demo" / "contact-center.yaml"))
        app = functions_framework.create_app("deflection_http", str(MAIN_SOURCE))
        client = app.test_client()
        v = RequestValidator(TWILIO_TOKEN)
        work = []
        for i in range(args.calls + 200):
            q = urlencode({"queue": "billing-payments", "at": OPEN_AT if i % 2 else CLOSED_AT})
            params = {"CallSid": "CA" + uuid.uuid4().hex, "From": "+14155550123"}
            sig = v.compute_signature(f"http://bench.local/twilio/voice?{q}", params)
            work.append((f"/twilio/voice?{q}", params, {"X-Twilio-Signature": sig}))

        def call(item: tuple) -> None:
            path, params, headers = item
            r = client.post(path, data=params, headers=headers)
            assert r.status_code == 200, r.data

        for item in work[:200]:  # warm: config cached, TTS rendered, clients connected
            call(item)
        marks.flush(60)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for item in work[200:]:
            call(item)
        prof.disable()
        dt = time.perf_counter() - t0
        marks.flush(60)
        print(f"{args.calls} calls in-process: {dt / args.calls * 1e6:.0f} us per call (profiled)")
        for key in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.top)
            print(out.getvalue())
        out = io.StringIO()
        st = pstats.Stats(prof, stream=out).sort_stats("cumulative")
        st.print_callees(args.callees)
        print(out.getvalue())
        return 0

    return with_suite(run, standins=("twilio",))


if __name__ == "__main__":
    raise SystemExit(main())
