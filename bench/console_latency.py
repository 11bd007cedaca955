"""Time from a carrier's webhook to the call's row on a supervisor's console page.

Starts the emulator suite with every function, signs Mona (manager, Billing) in to the
console in Debian's headless Chromium, then N times: the Twilio stand-in sends the signed
IVR webhook of a new call to Billing > Refunds, and the page (polling every second with
If-None-Match, never reloaded) shows its row; a MutationObserver in the page stamps the
moment the row is in the DOM. The call is then ended through the API, so the list stays
one page long. Prints p50 / p99 / max.

    python -m bench.console_latency --calls 50
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from bench.common import percentile  # noqa: E402

OBSERVER = """() => {
  window.__seen = {};
  new MutationObserver(() => {
    for (const el of document.querySelectorAll("[data-testid^='row-']")) {
      const id = el.dataset.testid.slice(4);
      if (!(id in window.__seen)) window.__seen[id] = Date.now();
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.console_latency")
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args(argv)
    subprocess.run(["bash", str(ROOT / "scripts" / "build_console.sh")], check=True)

    from emulators.suite import Suite

    suite = Suite()
    suite.start()
    try:
        suite.provision()
        os.environ["CONFIG_CACHE_SECONDS"] = "2"
        suite.start_functions()
        os.environ.update(suite.env())
        return run(suite, args)
    finally:
        suite.cleanup()


def run(suite: object, args: argparse.Namespace) -> int:
    from playwright.sync_api import sync_playwright

    from core.clients import reset_clients
    from core.config.loader import load_file
    from core.config.store import apply
    from core.settings import reset_settings
    from emulators.signin import seed_people
    from tests.helpers import console_calls as calls
    from tests.helpers.common import DEMO_CONFIG
    from tests.helpers.console import CHROMIUM_ARGS, sign_in

    reset_settings()
    reset_clients()
    apply(load_file(DEMO_CONFIG))
    people = seed_people(suite.auth(), load_file(DEMO_CONFIG))  # type: ignore[attr-defined]
    mon = suite.function_url("monitoring_http")  # type: ignore[attr-defined]
    console = suite.function_url("console_http") + "/"  # type: ignore[attr-defined]
    rnd = random.Random(11)
    latencies: list[float] = []  # webhook sent -> row in the page
    after_answer: list[float] = []  # webhook answered (call queued) -> row in the page
    webhook: list[float] = []  # the webhook's own round trip
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="en-US").new_page()
        sign_in(page, console, "mona")
        page.get_by_test_id("live-table").wait_for()
        page.evaluate(OBSERVER)
        # One call first, not counted: the functions' first requests import their modules.
        warm = calls.incoming(suite, "billing-refunds", caller="+14155559999")
        page.get_by_test_id(f"row-{warm.call_sid}").wait_for(timeout=30_000)
        _end(mon, suite.auth().id_token(people["mona"]), warm.call_sid)  # type: ignore[attr-defined]
        for i in range(args.calls):
            # A random phase against the 1 s polling, as real calls arrive.
            time.sleep(rnd.uniform(0.2, 1.2))
            call = calls.incoming(suite, "billing-refunds", caller=f"+1415555{i:04d}")
            page.get_by_test_id(f"row-{call.call_sid}").wait_for(timeout=10_000)
            seen = page.evaluate(f"window.__seen[{call.call_sid!r}]") / 1000
            latencies.append(seen - call.sent_at)
            after_answer.append(seen - call.answered_at)
            webhook.append(call.answered_at - call.sent_at)
            _end(mon, suite.auth().id_token(people["mona"]), call.call_sid)  # type: ignore[attr-defined]
            page.get_by_test_id(f"row-{call.call_sid}").wait_for(state="detached")
        browser.close()
    print(f"console live-list latency, {len(latencies)} calls, 1 s ETag polling:")
    for label, values in (
        ("webhook sent -> row on page", latencies),
        ("webhook answered -> row on page", after_answer),
        ("webhook round trip (IVR)", webhook),
    ):
        ms = [x * 1000 for x in values]
        print(
            f"  {label:32s} p50={percentile(ms, 50):6.0f} ms  p99={percentile(ms, 99):6.0f} ms"
            f"  min={min(ms):6.0f} ms  max={max(ms):6.0f} ms"
        )
    return 0


def _end(mon: str, token: str, call_sid: str) -> None:
    r = requests.post(
        f"{mon}/calls/{call_sid}/end",
        json={"reason": "bench"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    r.raise_for_status()


if __name__ == "__main__":
    sys.exit(main())
