"""Start, wire and stop the whole local suite.

- Firestore and Pub/Sub: the emulators of the gcloud CLI (Java).
- Cloud Storage: gcp-storage-emulator. Cloud Tasks: gcloud-tasks-emulator (own venv).
- Identity Platform (portal sign-in): the Firebase Authentication emulator of
  firebase-tools (Node; emulators/signin.py). Google service-account ID tokens: the IAM
  stand-in (emulators/standins/iam_server.py).
- Twilio, Zendesk, Salesforce: local stand-ins speaking their wire formats.
- Optionally every function, each served by functions-framework on its own port, with
  Pub/Sub push subscriptions calling the event functions, as Eventarc would.

Every port is picked free, so two suites can run side by side. `stop()` ends every
process group it started.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from emulators import signin
from emulators.ports import free_port, wait_http, wait_tcp

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
TASKS_VENV = Path(os.environ.get("TASKS_EMULATOR_VENV", ROOT / ".venv-tasks"))
PROJECT = "demo-contact-center"
LOCATION = "us-central1"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "local-twilio-token"
ZENDESK_EMAIL = "agent@example.com"
ZENDESK_TOKEN = "local-zendesk-token"


class SuiteError(RuntimeError):
    pass


def check_prerequisites() -> None:
    """The gcloud emulators ship with the machine image; say clearly when they are absent."""
    problems = []
    gcloud = shutil.which("gcloud")
    if not gcloud:
        problems.append(
            "the gcloud CLI is not on PATH (it ships with the machine image; "
            "it cannot be installed from a package registry here)"
        )
    else:
        sdk = Path(os.path.realpath(gcloud)).parent.parent
        for comp in ("cloud-firestore-emulator", "pubsub-emulator"):
            if not (sdk / "platform" / comp).exists():
                problems.append(f"the gcloud component {comp!r} is missing under {sdk}")
    if not shutil.which("java"):
        problems.append("java is not on PATH (the Firestore and Pub/Sub emulators need it)")
    if not (TASKS_VENV / "bin" / "gcloud-tasks-emulator").exists():
        problems.append(
            f"the Cloud Tasks emulator venv is missing ({TASKS_VENV.name}); run `make setup`"
        )
    problems += signin.missing_prerequisites()
    if problems:
        raise SuiteError("emulator suite cannot start:\n  - " + "\n  - ".join(problems))


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path


@dataclass
class Suite:
    project: str = field(default_factory=lambda: os.environ.get("SUITE_PROJECT", PROJECT))
    with_functions: bool = False
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cc-suite-")))
    procs: list[Proc] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)
    function_ports: dict[str, int] = field(default_factory=dict)
    # Which third-party stand-ins to run (SUITE_STANDINS=twilio,zendesk narrows it).
    standins: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            os.environ.get("SUITE_STANDINS", "twilio,zendesk,salesforce,iam").split(",")
        )
    )

    # -- process plumbing ---------------------------------------------------------
    def _spawn(
        self, name: str, argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.Popen:
        log = self.run_dir / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        fh = open(log, "ab")  # noqa: SIM115 - owned by the child for its lifetime
        p = subprocess.Popen(
            argv,
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=cwd or ROOT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.procs.append(Proc(name, p, log))
        return p

    def _fail(self, name: str, exc: Exception) -> SuiteError:
        tail = ""
        for p in self.procs:
            if p.name == name and p.log.exists():
                tail = "\n".join(p.log.read_text(errors="replace").splitlines()[-25:])
        self.stop()
        return SuiteError(f"{name} did not come up: {exc}\n--- last lines of its log ---\n{tail}")

    # -- emulators ----------------------------------------------------------------------
    def start(self) -> Suite:
        check_prerequisites()
        try:
            self._start_emulators()
            self._start_standins()
        except SuiteError:
            raise
        except Exception as exc:  # noqa: BLE001 - report which part failed, then clean up
            self.stop()
            raise SuiteError(f"emulator suite failed to start: {exc}") from exc
        return self

    def _start_emulators(self) -> None:
        p = self.ports
        p["firestore"], p["pubsub"], p["storage"], p["tasks"] = (free_port() for _ in range(4))
        p["auth"], hub, logging = (free_port() for _ in range(3))
        auth_dir = signin.write_config(self.run_dir / "auth", p["auth"], hub, logging)
        started = [
            (
                "firestore",
                self._spawn(
                    "firestore",
                    [
                        "gcloud",
                        "emulators",
                        "firestore",
                        "start",
                        f"--host-port=127.0.0.1:{p['firestore']}",
                        "--quiet",
                    ],
                ),
            ),
            (
                "pubsub",
                self._spawn(
                    "pubsub",
                    [
                        "gcloud",
                        "beta",
                        "emulators",
                        "pubsub",
                        "start",
                        f"--host-port=127.0.0.1:{p['pubsub']}",
                        f"--project={self.project}",
                        "--quiet",
                    ],
                ),
            ),
            (
                "storage",
                self._spawn(
                    "storage",
                    [
                        sys.executable,
                        "-m",
                        "gcp_storage_emulator",
                        "start",
                        "--host=127.0.0.1",
                        f"--port={p['storage']}",
                        "--quiet",
                    ],
                    cwd=self.run_dir,
                ),
            ),
            (
                "tasks",
                self._spawn(
                    "tasks",
                    [
                        str(TASKS_VENV / "bin" / "gcloud-tasks-emulator"),
                        "start",
                        f"--port={p['tasks']}",
                        "--quiet",
                    ],
                ),
            ),
        ]
        started.append(
            (
                "auth",
                self._spawn(
                    "auth",
                    signin.argv(self.project),
                    # Private temp and config dirs: the emulator hub's locator file and the
                    # CLI's settings never clash with another suite's.
                    signin.OFFLINE_ENV
                    | {"TMPDIR": str(auth_dir), "XDG_CONFIG_HOME": str(auth_dir / "config")},
                    cwd=auth_dir,
                ),
            )
        )
        for name, proc in started:
            try:
                if name == "tasks":
                    wait_tcp(p[name], 60, proc, name)
                else:
                    # firebase-tools compiles its API schema at start: slow on a busy machine.
                    timeout = 180 if name == "auth" else 90
                    wait_http(f"http://127.0.0.1:{p[name]}/", timeout, proc, name)
            except (TimeoutError, RuntimeError) as exc:
                raise self._fail(name, exc) from None

    def _start_standins(self) -> None:
        for name, module, extra in (
            (
                "twilio",
                "emulators.standins.twilio_server",
                {"TWILIO_ACCOUNT_SID": TWILIO_SID, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN},
            ),
            (
                "zendesk",
                "emulators.standins.zendesk_server",
                {"ZENDESK_EMAIL": ZENDESK_EMAIL, "ZENDESK_API_TOKEN": ZENDESK_TOKEN},
            ),
            ("salesforce", "emulators.standins.salesforce_server", {}),
            ("iam", "emulators.standins.iam_server", {}),
        ):
            if name not in self.standins:
                continue
            port = free_port()
            self.ports[name] = port
            proc = self._spawn(name, [sys.executable, "-m", module, "--port", str(port)], extra)
            try:
                wait_tcp(port, 30, proc, name)
            except (TimeoutError, RuntimeError) as exc:
                raise self._fail(name, exc) from None

    # -- environment -------------------------------------------------------------------
    def auth(self) -> signin.AuthEmulator:
        """Client of this suite's Firebase Authentication emulator."""
        return signin.AuthEmulator(f"127.0.0.1:{self.ports['auth']}", self.project)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}" if name in self.ports else ""

    def function_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.function_ports[name]}"

    def env(self) -> dict[str, str]:
        """What a function (or a test process) needs to talk to this suite."""
        p = self.ports
        return {
            "GOOGLE_CLOUD_PROJECT": self.project,
            "CLOUDSDK_CORE_PROJECT": self.project,
            "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{p['firestore']}",
            "PUBSUB_EMULATOR_HOST": f"127.0.0.1:{p['pubsub']}",
            "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{p['storage']}",
            "CLOUD_TASKS_EMULATOR_HOST": f"127.0.0.1:{p['tasks']}",
            "FIREBASE_AUTH_EMULATOR_HOST": f"127.0.0.1:{p['auth']}",
            "TASKS_LOCATION": LOCATION,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_API_BASE": self.url("twilio"),
            "ZENDESK_BASE_URL": self.url("zendesk"),
            "ZENDESK_EMAIL": ZENDESK_EMAIL,
            "ZENDESK_API_TOKEN": ZENDESK_TOKEN,
            "SALESFORCE_BASE_URL": self.url("salesforce"),
            "TTS_ENGINE": "espeak",
            **(
                {"SERVICE_TOKEN_CERTS_URL": f"{self.url('iam')}/oauth2/v1/certs"}
                if "iam" in self.ports
                else {}
            ),
            "FUNCTION_URLS": json.dumps({n: self.function_url(n) for n in self.function_ports}),
        }

    def provision(self) -> None:
        """Topics, buckets and task queues (push subscriptions come with the functions)."""
        from emulators.provision import provision

        provision(self)

    # -- functions --------------------------------------------------------------------
    def start_functions(self, names: list[str] | None = None) -> None:
        sys.path.insert(0, str(FUNCTIONS_DIR))
        from core.entrypoints import ENTRYPOINTS

        eps = [e for e in ENTRYPOINTS if names is None or e.name in names]
        for ep in eps:
            self.function_ports[ep.name] = free_port()
        base_env = self.env()
        started = []
        for ep in eps:
            port = self.function_ports[ep.name]
            env = base_env | {
                "PUBLIC_URL": self.function_url(ep.name),
                "PORT": str(port),
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(FUNCTIONS_DIR),
            }
            proc = self._spawn(
                f"fn-{ep.name}",
                [
                    sys.executable,
                    "-m",
                    "functions_framework",
                    "--source",
                    str(FUNCTIONS_DIR / "main.py"),
                    "--target",
                    ep.name,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env,
            )
            started.append((ep.name, proc))
        for name, proc in started:
            try:
                wait_tcp(self.function_ports[name], 60, proc, f"fn-{name}")
            except (TimeoutError, RuntimeError) as exc:
                raise self._fail(f"fn-{name}", exc) from None
        from emulators.provision import push_subscriptions

        push_subscriptions(self, eps)

    # -- teardown ----------------------------------------------------------------------
    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.popen.poll() is None:
                try:
                    os.killpg(p.popen.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 10
        for p in self.procs:
            try:
                p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.popen.wait()
        self.procs.clear()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> Suite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
