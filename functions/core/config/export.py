"""The applied config written back in the file format (docs/config-format.md).

Deterministic: model fields in schema order, mappings in key order (the snapshot keeps
them sorted), defaults and unset fields left out. Loading the output and applying it
changes nothing, and exporting again gives the same bytes.
"""

from __future__ import annotations

from typing import Any

import yaml

from core.config.schema import ContactCenterConfig

HEADER = "# Contact-center config (docs/config-format.md), exported from the applied settings.\n"


class _Dumper(yaml.SafeDumper):
    """Block style throughout; long strings are not folded (stable across widths)."""


def _str(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_data(cfg: ContactCenterConfig) -> dict[str, Any]:
    data = cfg.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
    return {"version": cfg.version, **{k: v for k, v in data.items() if k != "version"}}


def dump(cfg: ContactCenterConfig) -> str:
    body = yaml.dump(
        to_data(cfg),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,
    )
    return HEADER + body
