"""JSON merge patch (RFC 7386) and the unknown-key check that goes with it."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from core.errors import bad_request


def merge_patch(
    target: Any,
    patch: Any,
    *,
    whole: Callable[[str], bool] | None = None,
    path: str = "",
) -> Any:
    """RFC 7386: objects merge, null removes, anything else replaces.

    `whole(path)` marks objects that are one choice and so are replaced, not merged
    (`path` is the dotted key path of the object, e.g. "tones.ring").
    """
    if not isinstance(patch, dict):
        return patch
    if whole is not None and path and whole(path):
        target = None
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            here = f"{path}.{key}" if path else key
            out[key] = merge_patch(out.get(key), value, whole=whole, path=here)
    return out


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            m = _model_of(arg)
            if m is not None:
                return m
    return None


def check_keys(model: type[BaseModel], patch: dict[str, Any], prefix: str = "") -> None:
    """Unknown keys are errors even when their value is null (a typo must not pass, and
    `{"typo": null}` would otherwise be a silent no-op)."""
    for key, value in patch.items():
        field = model.model_fields.get(key)
        here = f"{prefix}.{key}" if prefix else key
        if field is None:
            raise bad_request(here, "unknown field")
        sub = _model_of(field.annotation)
        if isinstance(value, dict) and sub is not None:
            check_keys(sub, value, here)
