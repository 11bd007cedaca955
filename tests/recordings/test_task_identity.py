"""Every delivery task names the identity Cloud Tasks signs it with: the tasks account, with
the recordings function's own URL as audience (core/push.py checks both on arrival)."""

from __future__ import annotations

import os

from tests.helpers.recordings import Pipeline


def test_delivery_tasks_carry_the_tasks_accounts_oidc_token(pipe: Pipeline) -> None:
    from core.settings import settings

    rec = pipe.record(2, 1000)
    pipe.callback(rec)
    queued = pipe.queued()
    assert queued
    for task in queued:
        oidc = task.http_request.oidc_token
        assert oidc.service_account_email == os.environ["RECORDINGS_TASKS_SERVICE_ACCOUNT"]
        # Not Cloud Tasks' default (the full task URL): the receiver compares the audience
        # with its PUBLIC_URL, the function's base URL.
        assert oidc.audience == settings().function_url("recordings_http")
        assert task.http_request.url == oidc.audience + "/tasks/deliver"
