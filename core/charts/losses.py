"""Charts for the loss-functions page: curves and gradients, logits playground, outlier fits."""

import altair as alt
import numpy as np
import pandas as pd

from core.charts import GRADIENT, HIGHLIGHT, LEAF, NEUTRAL, OUTPUT, VALUE
from core.losses import zero_one

COLOURS = {
    "MSE": VALUE,
    "L1": GRADIENT,
    "Huber": LEAF,
    "SmoothL1": HIGHLIGHT,
    "Hinge": VALUE,
    "SoftMargin": GRADIENT,
    "BCE": LEAF,
    "BCEWithLogits": OUTPUT,
    "CrossEntropy": HIGHLIGHT,
    "0-1 (reference)": NEUTRAL,
}
# Dashes keep curves that coincide (SoftMargin, BCE, BCE-with-logits, 2-class CE) visible.
DASHES = {
    "L1": [7, 4],  # the outlier's L1 fit lies close to Huber's: both stay visible
    "SoftMargin": [1, 0],
    "BCE": [10, 6],
    "BCEWithLogits": [4, 4],
    "CrossEntropy": [2, 6],
    "SmoothL1": [8, 4],
    "0-1 (reference)": [3, 3],
}
OUTLIER_PICK = "outlier"


def _colour(names, orient: str = "top"):
    return alt.Color(
        "name:N",
        scale=alt.Scale(domain=list(names), range=[COLOURS[n] for n in names]),
        # above the plot (on the first screen with it), two to a row, never cut: fits a
        # half-width column at 1280 px
        legend=alt.Legend(title="Loss", orient=orient, columns=2 if orient == "top" else 1,
                          labelLimit=0),
    )  # fmt: skip


def _dash(names):
    return alt.StrokeDash(
        "name:N",
        scale=alt.Scale(domain=list(names), range=[DASHES.get(n, [1, 0]) for n in names]),
        legend=None,
    )


# Streamlit fits the whole chart (title, axes, legend) into this height; 440 leaves the plot
# itself about 250 px.
CURVES_HEIGHT = 440


def curves_chart(
    curves: pd.DataFrame, column: str, x_title: str, title: str, reference: bool = False
) -> alt.Chart:
    """Each loss's `column` ("loss" or "gradient") against x, one colour per loss."""
    data = curves[["x", column, "name"]].rename(columns={column: "value"})
    if reference and len(data):
        xs = np.unique(data["x"])
        ref = pd.DataFrame({"x": xs, "value": zero_one(xs), "name": "0-1 (reference)"})
        data = pd.concat([data, ref], ignore_index=True)
    names = list(dict.fromkeys(data["name"]))
    # short enough to fit beside the plot: a longer axis title pushes the chart's title out
    y_title = "loss" if column == "loss" else "d loss / d " + x_title.split()[0]
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X("x:Q", title=x_title),
            y=alt.Y("value:Q", title=y_title),
            color=_colour(names),
            strokeDash=_dash(names),
            tooltip=[
                "name:N",
                alt.Tooltip("x:Q", format=".2f"),
                alt.Tooltip("value:Q", format=".4f"),
            ],
        )
        .properties(title=title, height=CURVES_HEIGHT)
    )


def _logits_frame(result: dict, target: int) -> pd.DataFrame:
    k = len(result["probs"])
    return pd.DataFrame(
        {
            "class": [f"class {i}" for i in range(k)],
            "probability": result["probs"],
            "gradient": result["grad"],
            "role": ["true class" if i == target else "other" for i in range(k)],
        }
    )


def probability_chart(result: dict, target: int, height: int = 280) -> alt.Chart:
    """Softmax probabilities, the true class highlighted; takes its column's width."""
    return (
        alt.Chart(_logits_frame(result, target))
        .mark_bar()
        .encode(
            x=alt.X("class:N", title="class", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), title="softmax probability"),
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=["true class", "other"], range=[OUTPUT, VALUE]),
                legend=None,  # said in the subtitle: a bottom legend squashed the plot to 30 px
            ),
            tooltip=["class:N", alt.Tooltip("probability:Q", format=".4f")],
        )
        .properties(
            title=alt.TitleParams("p = softmax(z)", subtitle="vermillion: the true class"),
            height=height,
        )
    )


def logits_gradient_chart(result: dict, target: int, height: int = 280) -> alt.Chart:
    """The gradient of cross-entropy with respect to the logits, p - onehot(y)."""
    return (
        alt.Chart(_logits_frame(result, target))
        .mark_bar(color=GRADIENT)
        .encode(
            x=alt.X("class:N", title="class", sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("gradient:Q", scale=alt.Scale(domain=[-1, 1]), title="∂ loss / ∂ z"),
            tooltip=["class:N", alt.Tooltip("gradient:Q", format=".4f")],
        )
        .properties(title="Gradient p − onehot(y)", height=height)
    )


def logits_chart(result: dict, target: int) -> alt.HConcatChart:
    """Softmax probabilities (true class highlighted) beside the gradient p - onehot(y)."""
    return alt.hconcat(
        probability_chart(result, target).properties(width=230),
        logits_gradient_chart(result, target).properties(width=230),
    )


def outlier_chart(
    x: np.ndarray, y: np.ndarray, fits: dict[str, tuple[float, float]], y_range=(-6.0, 16.0)
) -> alt.LayerChart:
    """The data (outlier last, in vermillion) and one fitted line per loss.

    A grid of near-invisible cells carries a click selection that reports a new outlier spot.
    """
    pts = pd.DataFrame({"x": x, "y": y, "kind": ["data"] * (len(x) - 1) + ["outlier"]})
    sx = alt.Scale(domain=[-0.05, 1.05], nice=False)
    sy = alt.Scale(domain=list(y_range), nice=False)
    X = alt.X("x:Q", scale=sx, title="input x")
    Y = alt.Y("y:Q", scale=sy, title="target y")
    gx, gy = np.meshgrid(np.linspace(0, 1, 21), np.linspace(y_range[0], y_range[1], 45))
    cells = pd.DataFrame({"x": gx.ravel().round(3), "y": gy.ravel().round(3)})
    pick = alt.selection_point(name=OUTLIER_PICK, fields=["x", "y"], on="click", clear=False)
    click = (
        alt.Chart(cells)
        .mark_square(size=420, color="white", opacity=0.01)
        .encode(
            x=X,
            y=Y,
            tooltip=[
                alt.Tooltip("x:Q", title="click: outlier to x"),
                alt.Tooltip("y:Q", title="y"),
            ],
        )
        .add_params(pick)
    )
    xs = np.array([-0.05, 1.05])
    lines = pd.concat(
        [pd.DataFrame({"x": xs, "y": w * xs + b, "name": n}) for n, (w, b) in fits.items()],
        ignore_index=True,
    )
    names = list(fits)
    fit = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3, clip=True)
        .encode(
            x=X, y=Y, color=_colour(names, "right"), strokeDash=_dash(names), tooltip=["name:N"]
        )
    )
    dots = (
        alt.Chart(pts)
        .mark_circle(stroke="black", strokeWidth=1, opacity=1)
        .encode(
            x=X,
            y=Y,
            size=alt.Size(
                "kind:N", scale=alt.Scale(domain=["data", "outlier"], range=[160, 400]), legend=None
            ),
            fill=alt.Fill(
                "kind:N",
                scale=alt.Scale(domain=["data", "outlier"], range=[NEUTRAL, OUTPUT]),
                legend=alt.Legend(title="Point", orient="right"),
            ),
            tooltip=["kind:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f")],
        )
    )
    return alt.layer(click, fit, dots).properties(title="One outlier, three fits", height=420)
