"""Start, wire and stop the whole local suite.

- Firestore and Pub/Sub: the emulators of the gcloud CLI (Java).
- Cloud Storage: gcp-storage-emulator. Cloud Tasks: gcloud-tasks-emulator (own venv).
- Identity Platform (portal sign-in): the Firebase Authentication emulator of
  firebase-tools (Node; emulators/signin.py). Google service-account ID tokens: the IAM
  stand-in (emulators/standins/iam_server.py).
- Twilio, Zendesk, Salesforce: local stand-ins speaking their wire formats.
- Optionally every function of functions/manifest.json, each served by
  functions-framework on its own port, with a Pub/Sub push subscription per event function.

Two modes (SUITE_MODE):
- "emulator" (default, `make dev`): functions inherit this process's environment with the
  local default secrets; the emulator-only switch EMULATOR_UNAUTHENTICATED_PUSH lets the
  emulators' token-less pushes and tasks in.
- "cloud": each function is started with exactly the environment Terraform gives it
  (infra/locals.tf common_env, PUBLIC_URL, K_SERVICE, FUNCTION_TARGET, and only the
  secrets its manifest entry lists, as fresh random values) plus the emulator hosts. With
  K_SERVICE set the functions offer no emulator affordance, so pushes and tasks must carry
  OIDC tokens: a local issuer and relay (emulators/oidc.py) mint them as Google would.

Every port is picked free, so two suites can run side by side. `stop()` ends every
process group it started.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulators import signin
from emulators.ports import free_port, wait_http, wait_tcp
from emulators.standins.identity_toolkit import CERTS_PATH as SECURETOKEN_CERTS_PATH

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
TASKS_VENV = Path(os.environ.get("TASKS_EMULATOR_VENV", ROOT / ".venv-tasks"))
PROJECT = "demo-contact-center"
LOCATION = "us-central1"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "local-twilio-token"
ZENDESK_EMAIL = "agent@example.com"
ZENDESK_TOKEN = "local-zendesk-token"
MODES = ("emulator", "cloud")
# What a process needs to run at all; in cloud mode a function gets nothing else from here.
CLOUD_WITHHELD_ENV = frozenset({"FIREBASE_AUTH_EMULATOR_HOST", "EMULATOR_UNAUTHENTICATED_PUSH"})
BASE_ENV_KEYS = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV")
# Knobs tests turn on the functions (timings, sizes): not secrets, passed in cloud mode too.
TUNING_PREFIXES = ("CONFIG_CACHE_SECONDS", "RECORDINGS_", "SMARTACTIONS_", "APPS_API_RATE_LIMIT")


def push_account(project: str) -> str:
    return f"pubsub-push@{project}.iam.gserviceaccount.com"


def tasks_account(project: str) -> str:
    return f"tasks-invoker@{project}.iam.gserviceaccount.com"


def runtime_account(project: str, service: str) -> str:
    """The function's own service account, named as infra/iam.tf names it."""
    return f"fn-{service[:27].rstrip('-')}@{project}.iam.gserviceaccount.com"


def _manifest():  # noqa: ANN202 - core is importable only once functions/ is on sys.path
    if str(FUNCTIONS_DIR) not in sys.path:
        sys.path.insert(0, str(FUNCTIONS_DIR))
    from core.manifest import manifest

    return manifest()


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
    mode: str = field(default_factory=lambda: os.environ.get("SUITE_MODE") or "emulator")
    # Cloud mode: a fresh strong value for every secret of the manifest (env var => value).
    secrets: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SuiteError(f"SUITE_MODE must be one of {MODES}, not {self.mode!r}")
        if self.cloud and not self.secrets:
            self.secrets = {var: secrets.token_urlsafe(32) for var in _manifest().secrets.values()}
            if "RECORDINGS_CRM_TOTP_SECRETS" in self.secrets:
                # An enrolment has a format (recordings/config.py): the CRM key's id and a
                # base32 TOTP secret of its own.
                import base64
                import hashlib

                key = self.secrets["RECORDINGS_CRM_KEYS"].encode()
                totp = base64.b32encode(secrets.token_bytes(20)).decode()
                enrolment = f"{hashlib.sha256(key).hexdigest()[:12]}:{totp}"
                self.secrets["RECORDINGS_CRM_TOTP_SECRETS"] = enrolment

    @property
    def cloud(self) -> bool:
        return self.mode == "cloud"

    def secret(self, var: str, local: str) -> str:
        """The value of a secret env var in this suite (cloud: random; else the local one)."""
        return self.secrets.get(var, local)

    def issuer(self) -> Any:
        from emulators.oidc import Issuer

        return Issuer(self.run_dir / "oidc")

    # -- process plumbing ---------------------------------------------------------
    def _spawn(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        *,
        inherit: bool = True,
    ) -> subprocess.Popen:
        log = self.run_dir / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        fh = open(log, "ab")  # noqa: SIM115 - owned by the child for its lifetime
        p = subprocess.Popen(
            argv,
            stdout=fh,
            stderr=subprocess.STDOUT,
            cwd=cwd or ROOT,
            env={**(os.environ if inherit else {}), **(env or {})},
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
        tasks_env: dict[str, str] = {}
        if self.cloud:
            # The tasks emulator drops a task's oidc_token; it dispatches with urllib, which
            # honours http_proxy, so the relay adds the token Cloud Tasks would.
            p["oidc"] = free_port()
            relay = f"http://127.0.0.1:{p['oidc']}"
            tasks_env = {"http_proxy": relay, "no_proxy": "", "NO_PROXY": ""}
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
                    tasks_env,
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
        if self.cloud:
            self.issuer()  # the key pair, before the relay and the test process read it
            started.append(
                (
                    "oidc",
                    self._spawn(
                        "oidc",
                        [
                            sys.executable,
                            "-m",
                            "emulators.oidc",
                            f"--port={p['oidc']}",
                            f"--dir={self.run_dir / 'oidc'}",
                            f"--push-account={push_account(self.project)}",
                            f"--tasks-account={tasks_account(self.project)}",
                        ],
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
                {
                    "TWILIO_ACCOUNT_SID": TWILIO_SID,
                    "TWILIO_AUTH_TOKEN": self.secret("TWILIO_AUTH_TOKEN", TWILIO_TOKEN),
                },
            ),
            (
                "zendesk",
                "emulators.standins.zendesk_server",
                {
                    "ZENDESK_EMAIL": ZENDESK_EMAIL,
                    "ZENDESK_API_TOKEN": self.secret("ZENDESK_API_TOKEN", ZENDESK_TOKEN),
                },
            ),
            (
                "salesforce",
                "emulators.standins.salesforce_server",
                {k: v for k, v in self.secrets.items() if k == "SALESFORCE_CLIENT_SECRET"},
            ),
            ("iam", "emulators.standins.iam_server", {}),
        ):
            if name not in self.standins:
                continue
            port = free_port()
            self.ports[name] = port
            # A stand-in keeps uploaded bodies in a temp directory (gigabytes in the
            # recording benches); inside the run directory it goes with the suite however
            # the stand-in was stopped.
            tmp = self.run_dir / "tmp" / name
            tmp.mkdir(parents=True, exist_ok=True)
            argv = [sys.executable, "-m", module, "--port", str(port)]
            proc = self._spawn(name, argv, extra | {"TMPDIR": str(tmp)})
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
        """What a test process (or `make dev`) needs to talk to this suite: the emulator
        hosts, the common settings, and every secret (it plays every caller)."""
        p = self.ports
        env = {
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
                {
                    "SERVICE_TOKEN_CERTS_URL": f"{self.url('iam')}/oauth2/v1/certs",
                    # Identity Platform as the IAM stand-in plays it (securetoken ID tokens,
                    # accounts:lookup); the Auth emulator's unsigned tokens need neither.
                    "PERSON_TOKEN_CERTS_URL": self.url("iam") + SECURETOKEN_CERTS_PATH,
                    "IDENTITY_TOOLKIT_URL": self.url("iam"),
                }
                if "iam" in self.ports
                else {}
            ),
            "FUNCTION_URLS": json.dumps({n: self.function_url(n) for n in self.function_ports}),
            "PUSH_SERVICE_ACCOUNT": push_account(self.project),
            "RECORDINGS_TASKS_SERVICE_ACCOUNT": tasks_account(self.project),
        }
        if self.cloud:
            env |= self.secrets | {"OIDC_CERTS_URL": self.certs_url()}
        else:
            # The emulators attach no OIDC token to pushes and tasks (see emulators/oidc.py).
            env["EMULATOR_UNAUTHENTICATED_PUSH"] = "1"
        return env

    def certs_url(self) -> str:
        return f"{self.url('oidc')}/oauth2/v1/certs"

    def function_env(self, name: str) -> dict[str, str]:
        """The environment one function is started with."""
        port = self.function_ports[name]
        own = {
            "PUBLIC_URL": self.function_url(name),
            "PORT": str(port),
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(FUNCTIONS_DIR),
            "FUNCTION_TARGET": name,
        }
        m = _manifest()
        # The runtime's own environment (glibc's malloc arenas), as Terraform deploys it.
        own |= m.runtime.env
        if not self.cloud:
            return self.env() | own
        fn = m.function(name)
        given = m.secret_env(fn)
        # The Auth emulator's unsigned ID tokens are an emulator affordance: a cloud-shaped
        # function is not told where it is (and would refuse to start if it were).
        common = {
            k: v
            for k, v in self.env().items()
            if k not in self.secrets and k not in CLOUD_WITHHELD_ENV
        }
        base = {k: os.environ[k] for k in BASE_ENV_KEYS if k in os.environ}
        tuning = {
            k: v
            for k, v in os.environ.items()
            if k.startswith(TUNING_PREFIXES) and k not in m.secrets.values()
        }
        return (
            base
            | tuning
            | common
            | {var: self.secrets[var] for var in given}
            | self._metadata_env(fn.service)
            | own
            | {"K_SERVICE": fn.service, "K_REVISION": f"{fn.service}-00001-cld"}
            # The manifest's per-instance concurrency and timeout, as functions-framework's
            # gunicorn reads them.
            | {"THREADS": str(fn.concurrency), "CLOUD_RUN_TIMEOUT_SECONDS": str(fn.timeout_seconds)}
        )

    def _metadata_env(self, service: str) -> dict[str, str]:
        """Application Default Credentials as on Cloud Run: the metadata server (the IAM
        stand-in's) answers for the function's own service account; no gcloud config."""
        if "iam" not in self.ports:
            return {}
        from urllib.parse import quote

        iam = f"127.0.0.1:{self.ports['iam']}"
        account = quote(runtime_account(self.project, service), safe="")
        return {
            "GCE_METADATA_HOST": f"{iam}/sa/{account}",
            "GCE_METADATA_IP": iam,
            "CLOUDSDK_CONFIG": str(self.run_dir / "no-gcloud-config"),
        }

    def people(self) -> signin.AuthEmulator:
        """Who signs people in for the functions of this suite: the Auth emulator, or in
        cloud mode the IAM stand-in's Identity Platform (Google-signed-shaped tokens)."""
        if self.cloud:
            return signin.IdentityStandIn(self.url("iam"), self.project)
        return self.auth()

    def provision(self) -> None:
        """Topics, buckets and task queues (push subscriptions come with the functions)."""
        from emulators.provision import provision

        provision(self)

    # -- functions --------------------------------------------------------------------
    def start_functions(self, names: list[str] | None = None) -> None:
        fns = [f for f in _manifest().functions.values() if names is None or f.name in names]
        for fn in fns:
            self.function_ports[fn.name] = free_port()
        started = []
        for fn in fns:
            port = self.function_ports[fn.name]
            proc = self._spawn(
                f"fn-{fn.name}",
                [
                    sys.executable,
                    "-m",
                    "functions_framework",
                    "--source",
                    str(FUNCTIONS_DIR / "main.py"),
                    "--target",
                    fn.name,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                self.function_env(fn.name),
                inherit=not self.cloud,
            )
            started.append((fn.name, proc))
        for name, proc in started:
            try:
                wait_tcp(self.function_ports[name], 60, proc, f"fn-{name}")
            except (TimeoutError, RuntimeError) as exc:
                raise self._fail(f"fn-{name}", exc) from None
        # A port picked free can be taken by another process before ours binds it; then
        # the port answers but ours has exited (address in use): fail loudly, not with
        # another program's 404s.
        for name, proc in started:
            if proc.poll() is not None:
                raise self._fail(f"fn-{name}", RuntimeError(f"exited with code {proc.returncode}"))
        from emulators.provision import push_subscriptions

        push_subscriptions(self, fns)

    def start_variant(self, name: str, env: dict[str, str]) -> str:
        """One more instance of function `name`, its usual environment plus `env` (e.g.
        CRM=salesforce), on a port of its own; no push subscription (a test posts to it).
        Stopped with the suite. Returns its URL (also its PUBLIC_URL)."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        label = f"fn-{name}-variant-{port}"
        proc = self._spawn(
            label,
            [
                sys.executable,
                "-m",
                "functions_framework",
                "--source",
                str(FUNCTIONS_DIR / "main.py"),
                "--target",
                name,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            self.function_env(name) | {"PUBLIC_URL": url, "PORT": str(port)} | env,
            inherit=not self.cloud,
        )
        try:
            wait_tcp(port, 60, proc, label)
        except (TimeoutError, RuntimeError) as exc:
            raise self._fail(label, exc) from None
        return url

    def logs(self) -> dict[str, str]:
        """Every captured log of this suite (process name => text)."""
        out = {}
        for path in sorted((self.run_dir / "logs").glob("*.log")):
            out[path.stem] = path.read_text(errors="replace")
        return out

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
