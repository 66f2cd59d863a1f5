"""Optional dependencies: import one, or say which `pip install "gasmix[...]"` brings it.

The extras are declared in pyproject.toml: `excel` (openpyxl), `charts` (matplotlib).
"""

from __future__ import annotations

import importlib


class MissingExtra(ImportError):
    """A feature needs a package that is not installed; the message says how to get it."""

    def __init__(self, module: str, extra: str, purpose: str):
        self.module, self.extra = module, extra
        super().__init__(f"{purpose} needs {module}, which is not installed: "
                         f'pip install "gasmix[{extra}]"')


def require(module: str, extra: str, purpose: str):
    """Import `module`, or raise MissingExtra naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(module, extra, purpose) from None
