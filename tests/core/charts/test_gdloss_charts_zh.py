"""The gradient-descent and loss-function charts in Chinese: titles, axes and the category labels
their legends and scales are keyed by are translated together (a label outside its scale's domain
would lose its colour or shape)."""

import numpy as np

from core.charts import NEUTRAL
from core.charts import landscapes as gd_charts
from core.charts import losses as loss_charts
from core.i18n import catalogue
from core.landscapes import descent, functions
from core.losses import loss_curves, softmax_cross_entropy

ZH = catalogue("zh").gettext


def _layers(chart) -> list[dict]:
    return chart.to_dict()["layer"]


def test_the_landscape_map_reads_in_chinese_and_keeps_its_marker_shapes():
    land = functions.landscape("saddle")
    runs = descent.run_optimisers(land, ("SGD", "Adam"), 0.05, 20, 0.9, (-1.8, 0.5), 0.0)
    chart = gd_charts.landscape_chart(land, "data:,", runs, 5, (-1.8, 0.5), gettext=ZH)
    spec = chart.to_dict()
    assert spec["title"] == "鞍面：到第 5 步的路径"
    special = next(layer for layer in _layers(chart) if "shape" in layer.get("encoding", {}))
    domain = special["encoding"]["shape"]["scale"]["domain"]
    assert domain == ["已知极小值点", "鞍点", "起点"]
    values = {row["what"] for row in spec["datasets"][special["data"]["name"]]}
    assert values == set(domain)  # two minima, one saddle, the start: every kind has its shape
    line = next(layer for layer in _layers(chart) if "color" in layer.get("encoding", {}))
    assert line["encoding"]["color"]["legend"]["title"] == "优化器"
    assert line["encoding"]["x"]["title"] == "x（第一个参数）"


def test_the_landscape_charts_stay_english_by_default():
    land = functions.landscape("quadratic", 25.0)
    runs = descent.run_optimisers(land, ("SGD",), 0.01, 10, 0.9, land.start, 0.0)
    chart = gd_charts.landscape_chart(land, "data:,", runs, 3, land.start)
    assert chart.to_dict()["title"] == "Quadratic bowl (condition number 25): paths up to step 3"
    zh = gd_charts.landscape_chart(land, "data:,", runs, 3, land.start, gettext=ZH)
    assert zh.to_dict()["title"] == "二次碗面（条件数 25）：到第 3 步的路径"
    assert gd_charts.loss_chart(runs, land.f_min, 3, gettext=ZH).to_dict()["title"] == (
        "损失（对数刻度）"
    )


def test_a_diverged_run_says_so_in_chinese():
    land = functions.landscape("quadratic", 100.0)
    (tr,) = descent.run_optimisers(land, ("SGD",), 1.0, 200, 0.9, land.start, 0.0).values()
    assert tr.diverged_at is not None
    assert tr.message().startswith(f"SGD diverged at step {tr.diverged_at}:")
    assert tr.message(ZH).startswith(f"SGD 在第 {tr.diverged_at} 步发散：")


def test_the_reference_curve_keeps_its_grey_dashes_in_chinese():
    data = loss_curves(("Hinge", "BCE"), delta=1.0)
    chart = loss_charts.curves_chart(data, "loss", "间隔 m", "标题", reference=True, gettext=ZH)
    enc = chart.to_dict()["encoding"]
    domain, colours = enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"]
    assert domain == ["Hinge", "BCE", "0-1 损失（参考）"]
    assert colours[2] == NEUTRAL
    assert enc["strokeDash"]["scale"]["range"][2] == loss_charts.DASHES["0-1 (reference)"]
    assert enc["y"]["title"] == "损失"
    grad = loss_charts.curves_chart(data, "gradient", "间隔 m", "梯度", gettext=ZH).to_dict()
    assert grad["encoding"]["y"]["title"] == "d 损失 / d 间隔"


def test_the_true_class_stays_vermillion_in_chinese():
    res = softmax_cross_entropy([2.0, 1.0, -1.0], 1)
    spec = loss_charts.probability_chart(res, 1, gettext=ZH).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["真实类别", "其他"]
    rows = spec["datasets"][spec["data"]["name"]]
    assert [r["role"] for r in rows] == ["其他", "真实类别", "其他"]
    assert [r["class"] for r in rows] == ["类别 0", "类别 1", "类别 2"]
    assert np.isclose(sum(r["probability"] for r in rows), 1.0)


def test_the_outlier_is_drawn_as_the_outlier_in_chinese():
    x, y = np.linspace(0, 1, 4), np.array([1.0, 1.7, 2.3, 12.0])
    chart = loss_charts.outlier_chart(x, y, {"MSE": (2.0, 1.0)}, gettext=ZH)
    dots = _layers(chart)[-1]
    assert dots["encoding"]["fill"]["scale"]["domain"] == ["数据", "离群点"]
    rows = chart.to_dict()["datasets"][dots["data"]["name"]]
    assert [r["kind"] for r in rows] == ["数据", "数据", "数据", "离群点"]
    assert chart.to_dict()["title"] == "一个离群点，三种拟合"
