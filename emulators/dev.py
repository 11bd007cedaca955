"""`make dev`: the whole system on this machine.

Starts the emulator suite and the third-party stand-ins, serves every function, wires the
Pub/Sub push subscriptions, creates buckets and task queues, loads the demo contact center,
prints where to call it, and waits. Ctrl-C stops everything it started.

`--check` runs the printed examples once and exits (non-zero if one fails); the test suite
uses it to prove this command works.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import signal
import sys
import threading
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from emulators.signin import API_KEY, DEMO_PASSWORD, seed_people  # noqa: E402
from emulators.suite import Suite, SuiteError  # noqa: E402

DEMO = ROOT / "emulators" / "demo" / "contact-center.yaml"
# The demo config's service user (kind: service) is this service account.
DEMO_SERVICE_ACCOUNT = "ci-pipeline@demo-contact-center.iam.gserviceaccount.com"


def load_demo(suite: Suite, config: Path) -> dict:
    os.environ.update(suite.env())
    from core import caches
    from core.config.loader import load_file
    from core.config.store import apply

    caches.reset()
    return apply(load_file(config)).as_dict()


def sign_in_lines(people: dict[str, str], roles: dict[str, list[str]]) -> list[str]:
    return [
        f"  {uid:8s} {email:34s} {DEMO_PASSWORD}   ({', '.join(roles.get(uid, []))})"
        for uid, email in people.items()
    ]


def console_lines(suite: Suite) -> str:
    """Where the web console is (console_http), and whether it is built."""
    url = suite.function_url("console_http") + "/"
    built = (ROOT / "console" / "dist" / "index.html").exists()
    note = "" if built else "  (not built yet: run `make console`, then reload)"
    return f"\nConsole (supervisors and admins; sign in with a person above):\n  {url}{note}"


def examples(suite: Suite, people: dict[str, str]) -> list[dict]:
    """Requests a developer can paste; each is also run by --check."""
    from core.auth import sdk_jwt

    # Signed in as a browser does: on the Auth emulator, or with SUITE_MODE=cloud on the IAM
    # stand-in's Identity Platform (the cloud-shaped functions take only signed tokens).
    auth = suite.people()
    admin = auth.id_token(people["ada"])
    user = sdk_jwt.issue("customer-42", name="Kim Lee", email="kim@example.com")
    call_sid = "CA" + secrets.token_hex(16)
    twilio = suite.url("twilio")
    deflection = suite.function_url("deflection_http")
    sunday_night = "2026-11-29T23:30:00-05:00"
    monitoring = suite.function_url("monitoring_http")
    return [
        {
            "title": "Sign in as Ada (admin) on "
            + ("Identity Platform" if suite.cloud else "the Firebase Authentication emulator")
            + ", as the portal's browser does: the answer's idToken is the Bearer token "
            "(valid 1 hour)",
            "method": "POST",
            "url": f"{auth.base}/{auth.idt}v1/accounts:signInWithPassword?key={API_KEY}",
            "json": {"email": people["ada"], "password": DEMO_PASSWORD, "returnSecureToken": True},
            "expect": 200,
        },
        {
            "title": "Automation: a service-account ID token for the monitoring function "
            "(the local IAM stand-in; in the cloud `gcloud auth print-identity-token`)",
            "method": "POST",
            "url": f"{suite.url('iam')}/v1/projects/-/serviceAccounts/"
            f"{DEMO_SERVICE_ACCOUNT}:generateIdToken",
            "json": {"audience": monitoring, "includeEmail": True},
            "expect": 200,
        },
        {
            "title": "An incoming call to Billing > Refunds (the Twilio stand-in signs the "
            "webhook as Twilio would); the answer is TwiML",
            "method": "POST",
            "url": f"{twilio}/_control/send_webhook",
            "json": {
                "url": f"{deflection}/twilio/voice?queue=billing-refunds",
                "params": {
                    "CallSid": call_sid,
                    "AccountSid": suite.env()["TWILIO_ACCOUNT_SID"],
                    "From": "+14155550123",
                    "To": "+18005550000",
                    "CallStatus": "ringing",
                    "Direction": "inbound",
                },
            },
            "expect": 200,
        },
        {
            "title": "Why? The decision and the rule behind it, for any instant "
            "(Sunday 23:30 New York)",
            "method": "GET",
            "url": f"{deflection}/explain?queue=billing-refunds&channel=voice"
            f"&at={sunday_night.replace('+', '%2B')}",
            "headers": {"Authorization": f"Bearer {admin}"},
            "expect": 200,
        },
        {
            "title": "The mobile SDK asks what to offer (end-user JWT)",
            "method": "POST",
            "url": f"{deflection}/sdk/deflection",
            "headers": {"Authorization": f"Bearer {user}"},
            "json": {
                "queue_id": "billing-refunds",
                "platform": "mobile",
                "app_version": "5.2.0",
                "device_type": "Pixel 9",
            },
            "expect": 200,
        },
        {
            "title": "The mobile SDK places a call to Sales > General (open 24/7); pass the "
            "answer's call.params to the Twilio Voice SDK's connect()",
            "method": "POST",
            "url": f"{deflection}/sdk/calls",
            "headers": {"Authorization": f"Bearer {user}"},
            "json": {"queue_id": "sales-general", "app_version": "5.2.0"},
            "expect": 201,
        },
        {
            "title": "Start a web chat as an end user (SDK JWT)",
            "method": "POST",
            "url": f"{suite.function_url('sessions_http')}/sdk/chats",
            "headers": {"Authorization": f"Bearer {user}"},
            "json": {"channel": "web", "queue_path": "Billing > Refunds"},
            "expect": 201,
        },
        {
            "title": "The web console's public config (Firebase, function URLs); open the "
            "Console URL above in a browser",
            "method": "GET",
            "url": f"{suite.function_url('console_http')}/config.json",
            "expect": 200,
        },
        {
            "title": "Supervisor view: queued and connected calls (Ada's ID token)",
            "method": "GET",
            "url": f"{monitoring}/calls",
            "headers": {"Authorization": f"Bearer {admin}"},
            "expect": 200,
        },
    ]


def curl(ex: dict) -> str:
    parts = ["curl", "-sS", "-X", ex["method"], shlex.quote(ex["url"])]
    for k, v in ex.get("headers", {}).items():
        parts += ["-H", shlex.quote(f"{k}: {v}")]
    if "json" in ex:
        parts += [
            "-H",
            "'Content-Type: application/json'",
            "-d",
            shlex.quote(json.dumps(ex["json"])),
        ]
    return " ".join(parts)


def run_example(ex: dict) -> tuple[bool, str]:
    r = requests.request(
        ex["method"], ex["url"], headers=ex.get("headers"), json=ex.get("json"), timeout=30
    )
    return r.status_code == ex["expect"], f"{r.status_code} {r.text[:200]}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make dev")
    ap.add_argument("--config", type=Path, default=DEMO, help="contact-center file to load")
    ap.add_argument("--check", action="store_true", help="run the examples once and exit")
    args = ap.parse_args(argv)

    suite = Suite()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        print("starting emulators and stand-ins ...", flush=True)
        suite.start()
        suite.provision()
        os.environ["CONFIG_CACHE_SECONDS"] = "2"
        print("serving functions ...", flush=True)
        suite.start_functions()
        report = load_demo(suite, args.config)
        print(
            f"loaded {args.config.name}: {len(report['created'])} documents created, "
            f"{len(report['updated'])} updated",
            flush=True,
        )

        from core.config.loader import load_file

        cfg = load_file(args.config)
        # An account (the demo password) for every person of the config.
        people = seed_people(suite.people(), cfg)

        print("\nFunctions:")
        for name, port in sorted(suite.function_ports.items()):
            print(f"  {name:32s} http://127.0.0.1:{port}")
        print("\nEmulators and stand-ins:")
        for name, port in sorted(suite.ports.items()):
            print(f"  {name:32s} 127.0.0.1:{port}")
        print("\nEnvironment for your own scripts (eval it in a shell):")
        print(
            "  "
            + " ".join(
                f"{k}={shlex.quote(v)}"
                for k, v in sorted(suite.env().items())
                if k.endswith("_HOST") or k == "GOOGLE_CLOUD_PROJECT"
            )
        )
        print(f"\nLogs: {suite.run_dir / 'logs'}")
        if suite.cloud:
            where = f"the IAM stand-in's Identity Platform {suite.url('iam')}"
        else:
            where = f"Firebase Authentication emulator {suite.env()['FIREBASE_AUTH_EMULATOR_HOST']}"
        print(f"\nSign in ({where}, project {suite.project}), email / password:")
        print("\n".join(sign_in_lines(people, {u: v.roles for u, v in cfg.users.items()})))
        print(f"  service  {DEMO_SERVICE_ACCOUNT} (a service-account ID token, below)")
        print(console_lines(suite))

        failed = 0
        for ex in examples(suite, people):
            print(f"\n# {ex['title']}\n{curl(ex)}")
            if args.check:
                ok, detail = run_example(ex)
                failed += not ok
                print(f"  -> {'ok' if ok else 'FAILED'}: {detail}")
        if args.check:
            return 1 if failed else 0
        print("\nReady. Ctrl-C stops everything.", flush=True)
        stop.wait()
        return 0
    except SuiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        suite.cleanup()
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
