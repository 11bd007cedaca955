"""The config store's write path beyond one transaction's 500 writes, and its version
precondition for whole files."""

from __future__ import annotations

import copy

import pytest
import yaml

from tests.helpers.common import DEMO_CONFIG


def test_a_config_larger_than_one_transaction_applies_and_reapplies(suite) -> None:
    from core import clients
    from core.config.loader import parse
    from core.config.store import apply, load_config

    data = yaml.safe_load(DEMO_CONFIG.read_text())
    for i in range(520):
        data["users"][f"user-{i:03d}"] = {"name": f"User {i}", "roles": ["agent"]}
    first = apply(parse(copy.deepcopy(data)))
    assert len(first.created) > 520
    cfg, version = load_config()
    assert len(cfg.users) == len(data["users"]) and version == first.hash
    assert len(list(clients.firestore().collection("cc_users").stream())) == len(data["users"])
    again = apply(parse(copy.deepcopy(data)))
    assert not again.changed and again.hash == first.hash


def test_apply_refuses_a_file_made_on_another_version(suite, demo) -> None:
    from core.config.loader import load_file
    from core.config.store import VersionConflict, apply, load_config

    cfg = load_file(DEMO_CONFIG)
    with pytest.raises(VersionConflict) as exc:
        apply(cfg, expected_version="0" * 64)
    assert exc.value.current == load_config()[1]
    assert not apply(cfg, expected_version=load_config()[1]).changed
