"""The one declaration of every deployed function: `functions/manifest.json`, read once.

main.py defines an entry point per function from it, core.settings checks a function's
secrets against it, the emulator suite starts and wires functions from it, and infra/
reads the same file with jsondecode. Adding a function is one entry there plus its
handler module exposing `handle`.

Unknown keys are ignored on purpose: infra/ may add keys of its own to the shared file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PATH = Path(__file__).resolve().parent.parent / "manifest.json"


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Trigger(_Model):
    type: Literal["http", "pubsub"]
    topic: str | None = None

    @model_validator(mode="after")
    def _topic_for_pubsub(self) -> Trigger:
        if (self.type == "pubsub") != bool(self.topic):
            raise ValueError("a pubsub trigger names its topic; an http trigger names none")
        return self


class Function(_Model):
    name: str = ""  # filled from the key of the `functions` map
    module: str
    description: str
    trigger: Trigger
    # The route Cloud Tasks calls (with an OIDC token of the tasks account), if any.
    tasks_path: str | None = None
    public: bool
    secrets: tuple[str, ...]
    publishes: tuple[str, ...]
    buckets: tuple[str, ...]
    sign_urls: bool
    enqueue_tasks: bool
    memory: str
    timeout_seconds: int = Field(gt=0)
    concurrency: int = Field(ge=1)
    # vCPUs per instance; unset: the platform's share for the memory (a whole vCPU when
    # concurrency > 1). deflection_http asks for one: its batched session-mark writer
    # shares the instance with the webhook (docs/decisions/0004-batched-session-marks.md).
    cpu: str | None = Field(None, pattern=r"^[1-8]$")
    # CPU between requests too (Cloud Run's instance-based billing, `cpu_idle = false`):
    # infra/functions.tf deploys such a function as a Cloud Run service, the one resource
    # with that setting, and its session-mark writer may let marks gather while no request
    # is in flight (docs/decisions/0005-deflection-cpu-always-allocated.md).
    cpu_always_allocated: bool = False
    min_instances: int = Field(ge=0)
    max_instances: int = Field(ge=1)

    @model_validator(mode="after")
    def _whole_cpu_when_always_allocated(self) -> Function:
        # Instance-based billing is for a whole vCPU the instance keeps; Terraform sets
        # the Cloud Run service's CPU limit from `cpu`.
        if self.cpu_always_allocated and self.cpu is None:
            raise ValueError("cpu_always_allocated needs `cpu` (whole vCPUs)")
        return self

    @property
    def kind(self) -> str:
        """ "http" or "event" (a Pub/Sub push subscription calls it)."""
        return "http" if self.trigger.type == "http" else "event"

    @property
    def topic(self) -> str | None:
        return self.trigger.topic

    @property
    def service(self) -> str:
        """The deployed (Cloud Run) name: no underscores allowed there; K_SERVICE."""
        return self.name.replace("_", "-")


class Oidc(_Model):
    """Who may deliver pushes and tasks (see core/push.py); infra sets these env vars."""

    issuer: str
    certs_url_env: str
    push_service_account_env: str
    push_path: str
    tasks_service_account_env: str


class PushDelivery(_Model):
    """Retry and dead-letter policy of the push subscriptions (Terraform and the suite)."""

    dead_letter_topic: str
    max_delivery_attempts: int = Field(ge=5, le=100)  # Pub/Sub's bounds
    minimum_backoff_seconds: int = Field(ge=0, le=600)
    maximum_backoff_seconds: int = Field(ge=0, le=600)


class Runtime(_Model):
    """The process environment of every function's runtime (read by the C library and
    the interpreter, not by core.settings): Terraform, the suite and the benches set it."""

    env: dict[str, str] = Field(default_factory=dict)


class Manifest(_Model):
    topics: tuple[str, ...]
    schedules: dict[str, dict[str, str]]
    secrets: dict[str, str]  # manifest key => env var name
    functions: dict[str, Function]
    oidc: Oidc
    push_delivery: PushDelivery
    runtime: Runtime = Field(default_factory=Runtime)

    @model_validator(mode="before")
    @classmethod
    def _names(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("functions"), dict):
            fns = {k: {**v, "name": k} for k, v in data["functions"].items()}
            data = {**data, "functions": fns}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        for name, fn in self.functions.items():
            unknown = [s for s in fn.secrets if s not in self.secrets]
            if unknown:
                raise ValueError(f"{name}: secrets not in the top-level map: {unknown}")
            topics = [t for t in (*fn.publishes, fn.topic) if t and t not in self.topics]
            if topics:
                raise ValueError(f"{name}: topics not declared: {topics}")
        if self.push_delivery.dead_letter_topic not in self.topics:
            raise ValueError("push_delivery.dead_letter_topic is not a declared topic")
        unknown = [t for t in self.schedules if t not in self.topics]
        if unknown:
            raise ValueError(f"schedules on undeclared topics: {unknown}")
        return self

    def function(self, name: str) -> Function:
        return self.functions[name]

    def by_service(self, service: str) -> Function | None:
        """The function deployed as `service` (K_SERVICE) or with entry point `service`."""
        for fn in self.functions.values():
            if service in (fn.name, fn.service):
                return fn
        return None

    def secret_env(self, fn: Function) -> dict[str, str]:
        """Env var name => manifest key of the secrets `fn` is given."""
        return {self.secrets[s]: s for s in fn.secrets}

    @property
    def http(self) -> list[Function]:
        return [f for f in self.functions.values() if f.kind == "http"]

    @property
    def events(self) -> list[Function]:
        return [f for f in self.functions.values() if f.kind == "event"]


@cache
def manifest() -> Manifest:
    return Manifest.model_validate(json.loads(PATH.read_text()))
