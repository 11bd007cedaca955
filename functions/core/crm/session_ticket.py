"""One CRM ticket (or case) per session, however many writers need it at the same moment.

Profile flags, redirect notes, an anonymous visitor's first assignment and a recording's
delivery can all be the first to need a session's ticket, on different instances. A CRM's
"find by external id, else create" is not atomic, so the creation is claimed in Firestore:
one writer creates, the others wait for the id it records. A claimant that dies mid-way
leaves a lease that runs out; the next one's `make` finds the ticket by external id first.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core import idempotency
from core.crm.errors import Transient
from core.crm.records import CrmId

# Creating a ticket takes well under a second; a claim older than this was abandoned.
LEASE_SECONDS = 15.0
# A waiter outlasts the lease, so it takes an abandoned claim over instead of failing.
WAIT_SECONDS = LEASE_SECONDS + 5.0


def once(
    session_id: str,
    make: Callable[[], CrmId],
    known: Callable[[], CrmId | None],
    *,
    owner: str | None = None,
) -> CrmId:
    """The session's ticket id: `known()` if recorded, else `make()` run by one writer.

    `make` must find an existing ticket by the session's external id before creating one,
    and record the id where `known` reads it. `owner` lets a retry of the same work take
    its crashed predecessor's claim over at once (see core.idempotency.claim).
    """
    key = f"crm-ticket:{session_id}"
    deadline = time.monotonic() + WAIT_SECONDS
    while not idempotency.claim(key, lease_seconds=LEASE_SECONDS, owner=owner):
        made = (idempotency.result(key) or {}).get("ticket_id") or known()
        if made:
            return made
        if time.monotonic() > deadline:
            raise Transient(f"the ticket of {session_id} is being created by another writer")
        time.sleep(0.2)
    try:
        ticket_id = known() or make()
    except BaseException:
        idempotency.release(key)
        raise
    idempotency.done(key, {"ticket_id": ticket_id})
    return ticket_id
