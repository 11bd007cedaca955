"""Dead letters on the emulator suite, as Terraform declares them (infra/pubsub.tf): every
event function's push subscription retries with backoff, then hands the message to the
dead-letter topic after the manifest's max_delivery_attempts."""

from __future__ import annotations

import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from core.manifest import PushDelivery, manifest
from emulators.provision import push_endpoint, push_subscription_request


def test_every_push_subscription_has_the_manifests_dead_letter_policy(functions: Any) -> None:
    from google.cloud import pubsub_v1

    delivery = manifest().push_delivery
    sub = pubsub_v1.SubscriberClient()
    events = manifest().events
    assert events
    for fn in events:
        got = sub.get_subscription(
            subscription=sub.subscription_path(functions.project, f"{fn.name}-push")
        )
        assert got.topic.endswith(f"/topics/{fn.topic}")
        assert got.push_config.push_endpoint == push_endpoint(functions, fn.name)
        dlq = got.dead_letter_policy
        assert dlq.dead_letter_topic.endswith(f"/topics/{delivery.dead_letter_topic}"), fn.name
        assert dlq.max_delivery_attempts == delivery.max_delivery_attempts
        retry = got.retry_policy
        assert retry.minimum_backoff.total_seconds() == delivery.minimum_backoff_seconds
        assert retry.maximum_backoff.total_seconds() == delivery.maximum_backoff_seconds
        assert got.ack_deadline_seconds == min(600, max(10, fn.timeout_seconds))


class _Refuses(BaseHTTPRequestHandler):
    hits: list[float]

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.hits.append(time.monotonic())
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


def test_a_push_refused_every_time_ends_in_the_dead_letter_topic(suite: Any) -> None:
    """The emulator honours the policy the suite sets (here with Pub/Sub's minimum of five
    attempts and a short backoff, so the test is quick)."""
    from google.cloud import pubsub_v1

    hits: list[float] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Refuses,), {"hits": hits}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        delivery = PushDelivery(
            dead_letter_topic=manifest().push_delivery.dead_letter_topic,
            max_delivery_attempts=5,
            minimum_backoff_seconds=0,
            maximum_backoff_seconds=1,
        )
        topic = f"t-{uuid.uuid4().hex[:10]}"
        pub = pubsub_v1.PublisherClient()
        sub = pubsub_v1.SubscriberClient()
        pub.create_topic(name=pub.topic_path(suite.project, topic))
        dead = sub.subscription_path(suite.project, f"dl-{topic}")
        sub.create_subscription(
            name=dead, topic=pub.topic_path(suite.project, delivery.dead_letter_topic)
        )
        endpoint = f"http://127.0.0.1:{server.server_address[1]}/"
        sub.create_subscription(
            request=push_subscription_request(
                suite.project, f"push-{topic}", topic, endpoint, delivery, ack_deadline=10
            )
        )
        pub.publish(pub.topic_path(suite.project, topic), b"{}", probe=topic).result(timeout=10)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            resp = sub.pull(
                request={"subscription": dead, "max_messages": 10, "return_immediately": True},
                timeout=10,
            )
            mine = [m for m in resp.received_messages if m.message.attributes.get("probe") == topic]
            if mine:
                attrs = mine[0].message.attributes
                assert attrs["CloudPubSubDeadLetterSourceSubscription"] == f"push-{topic}"
                assert attrs["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
                assert len(hits) == 5
                return
            time.sleep(0.5)
        raise AssertionError(f"not dead-lettered after {len(hits)} refused pushes")
    finally:
        server.shutdown()
