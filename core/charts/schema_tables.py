"""Altair without rebuilding its schema table for every encoding.

Altair 6.3 turns each shorthand encoding (x="step:Q"), tooltip list and layer into schema
objects through a converter that first hashes all ~570 schema classes (a sorted JSON dump
of each), every time: about half the time of building a chart on this app's pages. The table
depends only on the set of classes, so `reuse_schema_tables` keeps one per set and hands it to
every later converter. Charts come out exactly as before (tests/core/charts/test_schema_tables.py).
"""

from __future__ import annotations

from altair.utils import schemapi

_TABLES: dict[tuple, dict] = {}
_ORIGINAL_INIT = schemapi._FromDict.__init__


def _init_with_shared_table(self, wrapper_classes, /) -> None:
    classes = tuple(wrapper_classes)
    table = _TABLES.get(classes)
    if table is None:
        _ORIGINAL_INIT(self, classes)
        _TABLES[classes] = self.class_dict
    else:
        self.class_dict = table  # lookups only add empty lists for unknown hashes: harmless


def reuse_schema_tables() -> None:
    """Make Altair's dict-to-schema converters share one table per set of schema classes."""
    schemapi._FromDict.__init__ = _init_with_shared_table


def rebuild_each_time() -> None:
    """Altair's own behaviour again (for the comparison in the tests)."""
    schemapi._FromDict.__init__ = _ORIGINAL_INIT
    _TABLES.clear()
