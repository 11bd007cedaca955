"""Read a config file (YAML or JSON) and turn validation errors into file paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.config.schema import ContactCenterConfig


class ConfigError(Exception):
    """Validation failed; `problems` is a list of (path in the file, problem)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
        self.problems = problems


def format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(root)"


def problems_of(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in exc.errors():
        msg = e["msg"].removeprefix("Value error, ")
        out.append((format_loc(tuple(e["loc"])), msg))
    return out


def parse(data: Any) -> ContactCenterConfig:
    if not isinstance(data, dict):
        raise ConfigError([("(root)", "the file must hold a mapping")])
    try:
        cfg = ContactCenterConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_of(exc)) from None
    from core.config import media  # touches the media bucket only if audio is named

    missing = media.problems(cfg)
    if missing:
        raise ConfigError([(format_loc(loc), msg) for loc, msg in missing])
    return cfg


def load_file(path: str | Path) -> ContactCenterConfig:
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError([(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    return parse(data)
