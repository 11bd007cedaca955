"""Which queue and language a carrier webhook is for.

The webhook URL configured on a Twilio number may name them (`?queue=billing&language=
es-US`); otherwise the dialed number (`To`) is looked up in center.deflection.numbers.
The query string is part of what Twilio signs, so neither can be forged by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.config.view import CenterView
from core.decisions import messages
from core.decisions.policy import queue_or_400
from core.errors import bad_request


def check_query(args: Mapping[str, str], allowed: frozenset[str]) -> None:
    for key in args:
        if key not in allowed:
            raise bad_request(f"query.{key}", "unknown field")


def queue_and_language(
    view: CenterView, args: Mapping[str, str], params: Mapping[str, str]
) -> tuple[str, str]:
    qid = args.get("queue")
    language = args.get("language")
    if not qid:
        route = view.center.deflection.numbers.get(params.get("To", ""))
        if route is None:
            raise bad_request(
                "queue",
                "name the queue in the webhook URL (?queue=) or map "
                "the dialed number in center.deflection.numbers",
            )
        qid, language = route.queue, language or route.language
    node = queue_or_400(view, qid)
    return node.id, messages.language_code(view, language)
