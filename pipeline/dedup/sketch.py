"""datasketch's MinHash and MinHashLSH, imported without the half-second scipy.integrate import.

``datasketch.lsh`` imports ``scipy.integrate.quad`` at module level. It calls it only to
choose bands and rows when no ``params`` are given; wirecopy always gives them. Importing
scipy.integrate costs about 0.5 s, paid by the writer and by the workers' fork server at
every run, which is most of the difference between our start-up and a bare extraction
script's, and matters to a cron job that finds a handful of new pages.

So, when scipy.integrate is not loaded yet, datasketch is imported with a stand-in module in
its place whose ``quad`` (and any other attribute) loads the real module on first use. Code
that does need scipy.integrate later still gets it; wirecopy never does.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_NAME = "scipy.integrate"


def _real() -> types.ModuleType:
    """Replace the stand-in by the real scipy.integrate and return it."""
    if getattr(sys.modules.get(_NAME), "_wirecopy_stand_in", False):
        del sys.modules[_NAME]
    return importlib.import_module(_NAME)


def _quad(*args: Any, **kwargs: Any) -> Any:
    return _real().quad(*args, **kwargs)


def _attribute(name: str) -> Any:
    """Any other public name loads the real module; the import system's probes (``__path__``
    and the like) get the usual AttributeError, so they do not load it."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_real(), name)


def _stand_in() -> types.ModuleType:
    module = types.ModuleType(
        _NAME, "Loads scipy.integrate when first used (pipeline.dedup.sketch)."
    )
    module.quad = _quad  # type: ignore[attr-defined]
    module._wirecopy_stand_in = True  # type: ignore[attr-defined]
    module.__getattr__ = _attribute  # type: ignore[method-assign]
    return module


def _import_datasketch() -> types.ModuleType:
    if "datasketch" in sys.modules or _NAME in sys.modules:
        return importlib.import_module("datasketch")
    sys.modules[_NAME] = _stand_in()
    try:
        return importlib.import_module("datasketch")
    finally:
        if getattr(sys.modules.get(_NAME), "_wirecopy_stand_in", False):
            del sys.modules[_NAME]


_datasketch = _import_datasketch()
MinHash = _datasketch.MinHash
MinHashLSH = _datasketch.MinHashLSH

__all__ = ["MinHash", "MinHashLSH"]
