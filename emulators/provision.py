"""Create the suite's topics, push subscriptions, buckets and task queues."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from google.api_core.exceptions import AlreadyExists, Conflict

if TYPE_CHECKING:
    from emulators.suite import Suite

BUCKETS = ("recordings", "media")
SOFT_DELETE_SECONDS = 0  # every bucket's soft_delete_policy in infra/storage.tf
QUEUES = ("recording-delivery", "scheduled-callbacks")


def _with_env(suite: Suite) -> dict[str, str | None]:
    """Point the Google clients in this process at the suite while provisioning."""
    env = suite.env()
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    return old


def _restore(old: dict[str, str | None]) -> None:
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def provision(suite: Suite) -> None:
    import grpc
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import pubsub_v1, storage, tasks_v2
    from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

    from core.manifest import manifest

    old = _with_env(suite)
    try:
        pub = pubsub_v1.PublisherClient()
        for t in manifest().topics:
            try:
                pub.create_topic(name=pub.topic_path(suite.project, t))
            except AlreadyExists:
                pass
        gcs = storage.Client(project=suite.project, credentials=AnonymousCredentials())
        for b in BUCKETS:
            # As infra/storage.tf declares them: no soft delete, so a deleted recording is
            # gone (the emulator, like Cloud Storage, keeps deleted objects 7 days by default).
            # The emulator takes the policy on a patch only, not with the create.
            try:
                bucket = gcs.create_bucket(b)
            except Conflict:
                bucket = gcs.bucket(b)
            bucket.soft_delete_policy.retention_duration_seconds = SOFT_DELETE_SECONDS
            bucket.patch()
        channel = grpc.insecure_channel(f"127.0.0.1:{suite.ports['tasks']}")
        tasks = tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
        parent = f"projects/{suite.project}/locations/us-central1"
        existing = {q.name for q in tasks.list_queues(parent=parent)}
        for q in QUEUES:
            name = f"{parent}/queues/{q}"
            if name not in existing:
                tasks.create_queue(parent=parent, queue={"name": name})
    finally:
        _restore(old)


def push_endpoint(suite: Suite, name: str, url: str | None = None) -> str:
    """Where the subscription of event function `name` pushes: the function's URL (as in
    the cloud), or in cloud mode the OIDC relay, which adds the push account's token.
    `url`: another instance of the function (a variant the suite started)."""
    from urllib.parse import quote

    from core.manifest import manifest

    url = url or suite.function_url(name)
    if suite.cloud:
        return f"{suite.url('oidc')}/push?to={quote(url, safe='')}"
    return url + manifest().oidc.push_path


def repoint_push(suite: Suite, name: str, url: str | None = None) -> None:
    """Send event function `name`'s pushes to `url` (a variant), or back to the function."""
    from google.cloud import pubsub_v1

    old = _with_env(suite)
    try:
        pubsub_v1.SubscriberClient().modify_push_config(
            request={
                "subscription": f"projects/{suite.project}/subscriptions/{name}-push",
                "push_config": {"push_endpoint": push_endpoint(suite, name, url)},
            }
        )
    finally:
        _restore(old)


def push_subscription_request(
    project: str, name: str, topic: str, endpoint: str, delivery: Any, ack_deadline: int = 60
) -> dict[str, Any]:
    """A push subscription as infra/pubsub.tf declares it: retries with backoff, then the
    dead-letter topic after `delivery.max_delivery_attempts` (manifest push_delivery)."""
    from google.protobuf import duration_pb2

    return {
        "name": f"projects/{project}/subscriptions/{name}",
        "topic": f"projects/{project}/topics/{topic}",
        "ack_deadline_seconds": ack_deadline,
        "push_config": {"push_endpoint": endpoint},
        "retry_policy": {
            "minimum_backoff": duration_pb2.Duration(seconds=delivery.minimum_backoff_seconds),
            "maximum_backoff": duration_pb2.Duration(seconds=delivery.maximum_backoff_seconds),
        },
        "dead_letter_policy": {
            "dead_letter_topic": f"projects/{project}/topics/{delivery.dead_letter_topic}",
            "max_delivery_attempts": delivery.max_delivery_attempts,
        },
    }


def push_subscriptions(suite: Suite, functions: list[Any]) -> None:
    """One push subscription per event function, as infra/ declares it."""
    from google.cloud import pubsub_v1

    from core.manifest import manifest

    delivery = manifest().push_delivery
    old = _with_env(suite)
    try:
        sub = pubsub_v1.SubscriberClient()
        for fn in functions:
            if fn.kind != "event":
                continue
            request = push_subscription_request(
                suite.project,
                f"{fn.name}-push",
                fn.topic,
                push_endpoint(suite, fn.name),
                delivery,
                # Terraform: the function's timeout, within Pub/Sub's 10..600 s.
                ack_deadline=min(600, max(10, fn.timeout_seconds)),
            )
            try:
                sub.create_subscription(request=request)
            except AlreadyExists:
                sub.modify_push_config(
                    request={"subscription": request["name"], "push_config": request["push_config"]}
                )
    finally:
        _restore(old)
