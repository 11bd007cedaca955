"""Config CLI: `python -m core.config validate|apply|show FILE`.

validate: check the file, print every problem with its path, exit 1 if any.
apply:    validate, then make Firestore match (idempotent; --dry-run shows the diff).
show:     print the applied config as JSON.
export:   print the applied config in the file format (applying it changes nothing).
"""

from __future__ import annotations

import argparse
import json
import sys

from core.config.loader import ConfigError, load_file


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m core.config")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("validate", "apply"):
        p = sub.add_parser(name)
        p.add_argument("file")
        if name == "apply":
            p.add_argument("--dry-run", action="store_true")
    sub.add_parser("show")
    sub.add_parser("export")
    args = ap.parse_args(argv)

    if args.cmd == "export":
        from core.config.export import dump
        from core.config.store import load_config

        sys.stdout.write(dump(load_config()[0]))
        return 0

    if args.cmd == "show":
        from core.config.store import load_config

        cfg, version = load_config()
        print(json.dumps({"hash": version, "config": cfg.model_dump(mode="json")}, indent=2))
        return 0
    try:
        cfg = load_file(args.file)
    except ConfigError as exc:
        for path, problem in exc.problems:
            print(f"{args.file}: {path}: {problem}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    if args.cmd == "validate":
        print(f"{args.file}: ok ({sum(1 for _ in cfg.walk_queues())} queues)")
        return 0
    from core.config.store import apply

    report = apply(cfg, dry_run=args.dry_run)
    print(json.dumps(report.as_dict() | {"dry_run": args.dry_run}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
