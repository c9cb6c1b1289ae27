"""core.charts.training built from real runs (the shown code is run in tests/core/training)."""

import numpy as np
import pytest
import torch

from core.charts import LEAF, OUTPUT, VALUE
from core.charts import training as charts
from core.i18n import catalogue
from core.training import (
    CNNConfig,
    CurveConfig,
    RegressionConfig,
    RNNConfig,
    SoftmaxConfig,
    ToyConfig,
    datasets,
    make_run,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _rows(spec: dict) -> list[dict]:
    """Every data row inlined in a chart spec (Altair puts them in `datasets`)."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_history_chart_has_train_and_test_per_epoch():
    run = make_run(ToyConfig(epochs=3, n=100))
    list(run)
    spec = charts.history_chart(run.epoch_log, "accuracy", "Accuracy", 3).to_dict()
    rows = _rows(spec)
    assert len(rows) == 6
    test = [r["value"] for r in rows if r["set"] == "test"]
    assert test == [e["test accuracy"] for e in run.epoch_log]
    assert spec["encoding"]["color"]["scale"]["range"] == [LEAF, VALUE]


def test_parameter_chart_ends_at_the_model():
    run = make_run(RegressionConfig(epochs=1))
    list(run)
    spec = charts.parameter_chart(
        run.tracked, {"w1": 2.0, "w2": -3.4, "b": 4.2}, run.tracked[0]
    ).to_dict()
    rows = _rows(spec)
    last_step = max(r.get("step", 0) for r in rows)
    last = {r["parameter"]: r["value"] for r in rows if r.get("step") == last_step}
    assert last["w1"] == pytest.approx(run.task.model.weight[0, 0].item())
    assert last["b"] == pytest.approx(run.task.model.bias.item())
    assert {r["value"] for r in rows if "step" not in r} == {2.0, -3.4, 4.2}  # truth lines


def test_boundary_chart_covers_the_grid_and_the_points():
    run = make_run(ToyConfig(dataset="blobs", epochs=1, n=90))
    s = datasets.toy_split("blobs", 90, 0.2, 0)
    x = torch.cat([s.x_train, s.x_test]).numpy()
    y = torch.cat([s.y_train, s.y_test]).numpy()
    spec = charts.boundary_chart(run.snapshot, x, y, np.arange(90) >= len(s.x_train)).to_dict()
    rows = _rows(spec)
    cells = [r for r in rows if "confidence" in r]
    points = [r for r in rows if "set" in r]
    assert len(cells) == 48 * 48 and len(points) == 90
    assert sum(p["set"] == "test" for p in points) == len(s.x_test)
    assert all(c["x"] < c["x2"] and c["y"] < c["y2"] for c in cells)


def test_curve_and_sequence_and_loss_charts():
    run = make_run(CurveConfig(epochs=2, n=50))
    list(run)
    s = datasets.curve_points(50, 0.15, 0)
    truth = datasets.wavy_curve(run.snapshot["x"])
    spec = charts.curve_chart(
        s.x_train.numpy(), s.y_train.numpy(), s.x_test.numpy(), s.y_test.numpy(),
        run.snapshot, truth,
    ).to_dict()  # fmt: skip
    rows = _rows(spec)
    assert sum(r.get("curve") == "model" for r in rows) == len(truth)
    assert sum(r.get("set") == "test" for r in rows) == 10
    rnn = make_run(RNNConfig(epochs=1, windows=3, hidden=8))
    seq = _rows(charts.sequence_chart(rnn.snapshot).to_dict())
    assert len(seq) == 3 * 60
    cos = [r["value"] for r in seq if r["series"] == "target cos(t)"]
    np.testing.assert_allclose(cos, np.cos(np.arange(60) * np.pi / 10), atol=1e-6)
    loss = charts.step_loss_chart(run.steps).to_dict()
    assert loss["mark"]["color"] == OUTPUT
    assert len(_rows(loss)) == len(run.steps)


def test_image_grid_and_confusion():
    run = make_run(CNNConfig(epochs=1, channels=4))
    snap = run.snapshot
    spec = charts.image_grid(snap["filters"], [f"f{k}" for k in range(4)], "filters", 2, True)
    rows = _rows(spec.to_dict())
    assert len(rows) == 4 * 9
    f1 = sorted((r["row"], r["col"], r["value"]) for r in rows if r["panel"] == "f1")
    np.testing.assert_allclose([v for *_, v in f1], snap["filters"][1].ravel(), rtol=1e-6)
    soft = make_run(SoftmaxConfig(epochs=1))
    grid = charts.image_grid(soft.snapshot["templates"], [str(k) for k in range(10)], "t")
    assert len(_rows(grid.to_dict())) == 640
    conf = _rows(charts.confusion_chart(snap["confusion"]).to_dict())
    assert len(conf) == 100 and sum(r["count"] for r in conf) == snap["confusion"].sum()


def test_thin_keeps_charts_flat_as_runs_grow():
    from core.charts.training import MAX_POINTS, thin

    assert thin(list(range(10))) == list(range(10))
    rows = list(range(60_000))
    kept = thin(rows)
    assert len(kept) <= MAX_POINTS + 1 and kept[0] == 0 and kept[-1] == 59_999
    assert kept == sorted(set(kept))
    steps = [(i, 1.0 / (i + 1)) for i in range(1, 20_001)]
    data = charts.step_loss_chart(steps).to_dict()["datasets"]
    assert max(len(v) for v in data.values()) <= MAX_POINTS + 1
    tracked = [{"step": i, "w1": 0.0, "w2": 0.0, "b": 0.0} for i in range(1, 60_001)]
    truth = {"w1": 2.0, "w2": -3.4, "b": 4.2}
    spec = charts.parameter_chart(tracked, truth, {"w1": 0, "w2": 0, "b": 0}).to_dict()
    assert max(len(v) for v in spec["datasets"].values()) <= 3 * (MAX_POINTS + 2)


def test_history_chart_tells_train_from_test_when_the_lines_coincide():
    """Identical train and test values still draw as two lines: test dashed, square points."""
    log = [{"epoch": e, "train loss": 1.0 / e, "test loss": 1.0 / e} for e in (1, 2, 3)]
    spec = charts.history_chart(log, "loss", "Loss", 3).to_dict()
    enc = spec["encoding"]
    assert enc["strokeDash"]["field"] == enc["color"]["field"] == "set"
    dashes = dict(
        zip(enc["strokeDash"]["scale"]["domain"], enc["strokeDash"]["scale"]["range"], strict=True)
    )
    assert dashes["train"] == [1, 0] and dashes["test"] != [1, 0]
    shapes = dict(zip(enc["shape"]["scale"]["domain"], enc["shape"]["scale"]["range"], strict=True))
    assert shapes["train"] != shapes["test"]


def test_history_chart_in_chinese_labels_its_data_and_keeps_the_styles():
    """The legend's categories are translated in the data and the scales alike: the test line
    is still the dashed, blue one, and the axes read in Chinese."""
    log = [{"epoch": e, "train loss": 2.0 / e, "test loss": 3.0 / e} for e in (1, 2, 3)]
    zh = catalogue("zh").gettext
    spec = charts.history_chart(log, "loss", "交叉熵损失", 3, gettext=zh).to_dict()
    rows = _rows(spec)
    assert {r["set"] for r in rows} == {"训练集", "测试集"}
    assert [r["value"] for r in rows if r["set"] == "测试集"] == [3.0, 1.5, 1.0]
    enc = spec["encoding"]
    colours = dict(
        zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"], strict=True)
    )
    assert colours == {"训练集": LEAF, "测试集": VALUE}
    dashes = dict(
        zip(enc["strokeDash"]["scale"]["domain"], enc["strokeDash"]["scale"]["range"], strict=True)
    )
    assert dashes["训练集"] == [1, 0] and dashes["测试集"] != [1, 0]
    assert (enc["x"]["title"], enc["y"]["title"], enc["color"]["title"]) == ("轮", "损失", "数据")


def test_boundary_chart_in_chinese_names_the_classes_it_colours():
    run = make_run(ToyConfig(epochs=1, n=100))
    list(run)
    s = datasets.toy_split("moons", 100, 0.2, 0)
    x = torch.cat([s.x_train, s.x_test]).numpy()
    y = torch.cat([s.y_train, s.y_test]).numpy()
    is_test = np.arange(len(x)) >= len(s.x_train)
    spec = charts.boundary_chart(run.snapshot, x, y, is_test, gettext=catalogue("zh").gettext)
    spec = spec.to_dict()
    points = [r for r in _rows(spec) if "set" in r]
    assert {p["class"] for p in points} == {"类别 0", "类别 1"}
    assert sum(p["set"] == "测试集" for p in points) == len(s.x_test)
    assert spec["title"] == "决策区域与数据"
