"""core.charts.schema_tables: Altair's dict-to-schema table built once, charts unchanged."""

import re

import altair as alt
import pandas as pd
from altair.utils import schemapi

from core.charts import schema_tables
from core.landscapes import descent, functions


def _landscape_dict() -> str:
    from core.charts import landscapes as charts

    land = functions.landscape("himmelblau")
    runs = descent.run_optimisers(land, ("SGD", "Adam"), 0.01, 40, 0.9, land.start, 0.0)
    spec = charts.landscape_chart(land, "data:,", runs, 40, land.start).to_dict()
    return re.sub(r"(view|param)_\d+", r"\1_N", str(spec))  # Altair's global name counters


def _simple_dict() -> dict:
    df = pd.DataFrame({"step": [0, 1, 2], "loss": [3.0, 2.0, 1.5], "name": ["a", "a", "b"]})
    return (
        alt.Chart(df)
        .mark_line()
        .encode(x="step:Q", y=alt.Y("loss:Q", title="loss"), color="name:N", tooltip=["step"])
        .to_dict()
    )


def test_charts_come_out_exactly_as_altair_builds_them():
    try:
        schema_tables.rebuild_each_time()
        own = (_simple_dict(), _landscape_dict())
        schema_tables.reuse_schema_tables()
        shared = (_simple_dict(), _landscape_dict())
    finally:
        schema_tables.reuse_schema_tables()  # the app's setting, whatever happened
    assert shared == own
    assert "x2" in shared[1] and "selection_point" not in shared[1]  # a real layered chart


def test_every_converter_shares_one_table():
    schema_tables.reuse_schema_tables()
    classes = list(schemapi.SchemaBase._default_wrapper_classes())
    first = schemapi._FromDict(iter(classes))
    second = schemapi._FromDict(iter(classes))
    assert first.class_dict is second.class_dict
    assert len(first.class_dict) > 400  # the real table: one entry per distinct schema
    schema_tables.rebuild_each_time()
    try:
        third = schemapi._FromDict(iter(classes))
        assert third.class_dict is not first.class_dict
        assert set(third.class_dict) == set(first.class_dict)
    finally:
        schema_tables.reuse_schema_tables()
