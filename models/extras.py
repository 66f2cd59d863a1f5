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


def lazy_names(namespace: dict, names: dict[str, str]):
    """`__getattr__` and `__dir__` for a package face whose public names (name → module
    that defines it) load on first use (PEP 562): `import gasmix` or reading a schema
    constant then loads neither pandas nor the solver."""

    def __getattr__(name: str):
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, namespace["__name__"]), name)
        namespace[name] = value  # later lookups do not come here
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
