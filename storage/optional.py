"""Optional dependencies: the package's extras (``nianbao[ocr]``, ``nianbao[pg]``).

What is heavy and needed by one feature only is an extra. Code that needs one imports it
through :func:`require`, so a missing extra is an error naming the feature, the missing module
and the install command, never a bare ImportError deep in a library (or a silent fallback).
This module sits in storage/, the bottom of the import order, so every package can use it.
"""
from __future__ import annotations

import importlib
import logging
from types import ModuleType

logger = logging.getLogger(__name__)


class MissingExtra(ImportError):
    """A feature's optional dependency is not installed; the message names the extra."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        super().__init__(f"{feature} needs the optional dependency {module!r}, which is not installed: "
                         f"pip install 'nianbao[{extra}]'", name=module)
        self.extra = extra
        self.feature = feature


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``module`` (dotted names too); raise :class:`MissingExtra` when it is missing.

    Only a module that is not installed becomes MissingExtra (named as the import system
    reports it, e.g. onnxruntime under rapidocr_onnxruntime); any other error while importing
    an installed module propagates unchanged.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise MissingExtra(exc.name or module, extra, feature) from exc
