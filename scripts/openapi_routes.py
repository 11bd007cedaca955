"""The routes of every HTTP function, read from their Routers (each `router.route(...)` in
functions/<capability>/http.py declares a route once), and the OpenAPI security scheme of
each caller type. `scripts/openapi_check.py` and the hostile tests read them.
"""

from __future__ import annotations

from typing import Any

from core.routes import CALLERS

# Caller type -> OpenAPI security scheme (core/routes.py CALLERS holds both).
AUTH: dict[str, dict[str, str] | None] = {name: c.scheme for name, c in CALLERS.items()}


def router_routes(function: str) -> list[tuple[str, str]]:
    """(method, rule) pairs the function's Router really serves."""
    return _router(function).routes()


def _router(function: str) -> Any:
    import importlib

    from core.manifest import manifest

    return importlib.import_module(manifest().function(function).module).router


def declared(function: str) -> list[Any]:
    """Every route of a function as its Router declares it (core/routes.py Route)."""
    return list(_router(function).declared())


def http_functions() -> list[str]:
    from core.manifest import manifest

    return [fn.name for fn in manifest().http]
