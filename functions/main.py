"""Entry points for Cloud Functions (2nd gen): one source tree, several functions.

Every function of manifest.json becomes an attribute of this module named after it (the
deploy's --entry-point / functions-framework's --target). HTTP functions hand the request
to their handler module; event functions take the Pub/Sub push over HTTP and check the
pusher's OIDC token first (core/push.py). Each handler module is imported on first call,
so a function pays at cold start only for the modules it uses.

In the cloud (K_SERVICE set) a function whose secrets are missing or left at their local
defaults refuses to start here, at import, naming the variables (core/settings.py).
"""

from __future__ import annotations

import gc
import importlib
import os
from collections.abc import Callable
from typing import Any

# We use no pydantic plugins; looking for them reads the metadata of every installed
# distribution when the first model class is built, a large share of a cold start.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# Importing makes many objects and almost no garbage: collections during it only cost
# time (about 8% of this module's import). Collected again below, once everything is
# loaded and frozen.
gc.disable()
try:
    import functions_framework

    from core.manifest import Function, manifest
    from core.settings import check_cloud

    check_cloud()
except BaseException:
    gc.enable()
    raise


def _handle(module: str) -> Callable[[Any], Any]:
    return importlib.import_module(module).handle


def _entry_point(fn: Function) -> Callable[[Any], Any]:
    if fn.kind == "http":

        def entry(request: Any) -> Any:
            return _handle(fn.module)(request)

    else:

        def entry(request: Any) -> Any:
            from core import push

            return push.serve(request, fn.name, _handle(fn.module))

    entry.__name__ = entry.__qualname__ = fn.name
    entry.__doc__ = fn.description
    return functions_framework.http(entry)


for _fn in manifest().functions.values():
    globals()[_fn.name] = _entry_point(_fn)

# functions-framework imports this module in the gunicorn master, which then forks the
# worker. Frozen, the objects loaded so far are left out of the worker's garbage
# collections, so collecting does not write to (and copy) the pages it shares with the
# master, and each collection has less to scan.
gc.freeze()
gc.enable()
