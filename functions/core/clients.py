"""Google Cloud clients, built lazily once per instance (cold start matters).

Each client is imported inside its builder so a function that never publishes never
pays for importing Pub/Sub. The official clients follow FIRESTORE_EMULATOR_HOST,
PUBSUB_EMULATOR_HOST and STORAGE_EMULATOR_HOST themselves; Cloud Tasks needs a channel.
"""

from __future__ import annotations

import functools
import sys
import threading
from typing import TYPE_CHECKING, Any, cast

from core.caches import on_reset
from core.settings import settings

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud import firestore as _firestore
    from google.cloud import pubsub_v1, storage, tasks_v2, texttospeech

_lock = threading.Lock()


def _anonymous() -> Any:
    from google.auth.credentials import AnonymousCredentials

    return AnonymousCredentials()


@functools.cache
def firestore() -> _firestore.Client:
    from google.cloud import firestore as fs

    s = settings()
    if s.on_emulators:
        return fs.Client(project=s.google_cloud_project, credentials=_anonymous())
    return fs.Client(project=s.google_cloud_project)


@functools.cache
def publisher() -> pubsub_v1.PublisherClient:
    from google.cloud import pubsub_v1

    # Our events are few per request and latency-sensitive: batch for 2 ms, not 10.
    return pubsub_v1.PublisherClient(
        batch_settings=pubsub_v1.types.BatchSettings(max_latency=0.002)
    )


@functools.cache
def storage_client() -> storage.Client:
    from google.cloud import storage

    s = settings()
    if s.storage_emulator_host:
        return storage.Client(project=s.google_cloud_project, credentials=_anonymous())
    return storage.Client(project=s.google_cloud_project)


# google-api-core's long-running-operations package registers an asyncio REST transport
# whenever aiohttp is importable, and twilio installs aiohttp. We call Cloud Tasks over
# synchronous gRPC only; that unused transport would import aiohttp, yarl and multidict
# into the instance (about 8 MiB). A None entry makes its optional import fail as it does
# when the extra is not installed; every other transport is unchanged.
_UNUSED_ASYNC_REST = "google.api_core.operations_v1.transports.rest_asyncio"


@functools.cache
def tasks() -> tasks_v2.CloudTasksClient:
    sys.modules.setdefault(_UNUSED_ASYNC_REST, cast(Any, None))
    from google.cloud import tasks_v2

    s = settings()
    if s.cloud_tasks_emulator_host:
        import grpc
        from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

        channel = grpc.insecure_channel(s.cloud_tasks_emulator_host)
        return tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    return tasks_v2.CloudTasksClient()


@functools.cache
def text_to_speech() -> texttospeech.TextToSpeechClient:
    from google.cloud import texttospeech

    return texttospeech.TextToSpeechClient()


def topic_path(topic: str) -> str:
    return f"projects/{settings().google_cloud_project}/topics/{topic}"


def queue_path(queue: str) -> str:
    s = settings()
    return f"projects/{s.google_cloud_project}/locations/{s.tasks_location}/queues/{queue}"


@on_reset
def reset_clients() -> None:
    """Forget every client (tests point the process at a different suite)."""
    with _lock:
        for fn in (firestore, publisher, storage_client, tasks, text_to_speech):
            fn.cache_clear()
        from core import carrier

        # `@cached` keeps functools' cache_clear; its declared type is the function's own.
        cast(Any, carrier.twilio).cache_clear()
