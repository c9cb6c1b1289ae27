"""Charts for the loss-functions page: curves and gradients, logits playground, outlier fits."""

import altair as alt
import numpy as np
import pandas as pd

from core.charts import GRADIENT, HIGHLIGHT, LEAF, NEUTRAL, OUTPUT, VALUE
from core.i18n import N_, Translate, untranslated
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
REFERENCE = N_("0-1 (reference)")  # the legend's name of the 0-1 loss, translated when drawn


def _colour(names, orient: str = "top", gettext: Translate = untranslated, styles=None):
    styles = styles or {}
    return alt.Color(
        "name:N",
        scale=alt.Scale(domain=list(names), range=[COLOURS[styles.get(n, n)] for n in names]),
        # above the plot (on the first screen with it), two to a row, never cut: fits a
        # half-width column at 1280 px
        legend=alt.Legend(title=gettext("Loss"), orient=orient,
                          columns=2 if orient == "top" else 1, labelLimit=0,
                          columnPadding=2, labelOffset=2),  # 800 px: the columns fit the chart
    )  # fmt: skip


def _dash(names, styles=None):
    styles = styles or {}
    dashes = [DASHES.get(styles.get(n, n), [1, 0]) for n in names]
    return alt.StrokeDash("name:N", scale=alt.Scale(domain=list(names), range=dashes), legend=None)


# Streamlit fits the whole chart (title, axes, legend) into this height; 440 leaves the plot
# itself about 250 px.
CURVES_HEIGHT = 440


def curves_chart(
    curves: pd.DataFrame,
    column: str,
    x_title: str,
    title: str,
    reference: bool = False,
    gettext: Translate = untranslated,
) -> alt.Chart:
    """Each loss's `column` ("loss" or "gradient") against x, one colour per loss.

    `x_title` and `title` come translated; the gradient's axis names x by its first word."""
    _ = gettext
    data = curves[["x", column, "name"]].rename(columns={column: "value"})
    reference_name = _(REFERENCE)
    if reference and len(data):
        xs = np.unique(data["x"])
        ref = pd.DataFrame({"x": xs, "value": zero_one(xs), "name": reference_name})
        data = pd.concat([data, ref], ignore_index=True)
    names = list(dict.fromkeys(data["name"]))
    styles = {reference_name: REFERENCE}
    # short enough to fit beside the plot: a longer axis title pushes the chart's title out
    symbol = (x_title.split() or ["x"])[0]
    y_title = _("loss") if column == "loss" else _("d loss / d {x}").format(x=symbol)
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X("x:Q", title=x_title),
            y=alt.Y("value:Q", title=y_title),
            color=_colour(names, gettext=gettext, styles=styles),
            strokeDash=_dash(names, styles),
            tooltip=[
                alt.Tooltip("name:N", title=_("loss function")),
                alt.Tooltip("x:Q", format=".2f", title=symbol),
                alt.Tooltip("value:Q", format=".4f", title=y_title),
            ],
        )
        .properties(title=title, height=CURVES_HEIGHT)
    )


def _logits_frame(result: dict, target: int, gettext: Translate = untranslated) -> pd.DataFrame:
    _ = gettext
    k = len(result["probs"])
    return pd.DataFrame(
        {
            "class": [_("class {i}").format(i=i) for i in range(k)],
            "probability": result["probs"],
            "gradient": result["grad"],
            "role": [_("true class") if i == target else _("other") for i in range(k)],
        }
    )


def probability_chart(
    result: dict, target: int, height: int = 280, gettext: Translate = untranslated
) -> alt.Chart:
    """Softmax probabilities, the true class highlighted; takes its column's width."""
    _ = gettext
    roles = [_("true class"), _("other")]
    return (
        alt.Chart(_logits_frame(result, target, gettext))
        .mark_bar()
        .encode(
            x=alt.X("class:N", title=_("class"), sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "probability:Q", scale=alt.Scale(domain=[0, 1]), title=_("softmax probability")
            ),
            color=alt.Color(
                "role:N",
                scale=alt.Scale(domain=roles, range=[OUTPUT, VALUE]),
                legend=None,  # said in the subtitle: a bottom legend squashed the plot to 30 px
            ),
            tooltip=[
                alt.Tooltip("class:N", title=_("class")),
                alt.Tooltip("probability:Q", format=".4f", title=_("softmax probability")),
            ],
        )
        .properties(
            title=alt.TitleParams("p = softmax(z)", subtitle=_("vermillion: the true class")),
            height=height,
        )
    )


def logits_gradient_chart(
    result: dict, target: int, height: int = 280, gettext: Translate = untranslated
) -> alt.Chart:
    """The gradient of cross-entropy with respect to the logits, p - onehot(y)."""
    _ = gettext
    return (
        alt.Chart(_logits_frame(result, target, gettext))
        .mark_bar(color=GRADIENT)
        .encode(
            x=alt.X("class:N", title=_("class"), sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("gradient:Q", scale=alt.Scale(domain=[-1, 1]), title=_("∂ loss / ∂ z")),
            tooltip=[
                alt.Tooltip("class:N", title=_("class")),
                alt.Tooltip("gradient:Q", format=".4f", title=_("∂ loss / ∂ z")),
            ],
        )
        .properties(title=_("Gradient p − onehot(y)"), height=height)
    )


def logits_chart(result: dict, target: int) -> alt.HConcatChart:
    """Softmax probabilities (true class highlighted) beside the gradient p - onehot(y)."""
    return alt.hconcat(
        probability_chart(result, target).properties(width=230),
        logits_gradient_chart(result, target).properties(width=230),
    )


def outlier_chart(
    x: np.ndarray,
    y: np.ndarray,
    fits: dict[str, tuple[float, float]],
    y_range=(-6.0, 16.0),
    gettext: Translate = untranslated,
) -> alt.LayerChart:
    """The data (outlier last, in vermillion) and one fitted line per loss.

    A grid of near-invisible cells carries a click selection that reports a new outlier spot.
    """
    _ = gettext
    kinds = [_("data"), _("outlier")]
    pts = pd.DataFrame({"x": x, "y": y, "kind": [kinds[0]] * (len(x) - 1) + [kinds[1]]})
    sx = alt.Scale(domain=[-0.05, 1.05], nice=False)
    sy = alt.Scale(domain=list(y_range), nice=False)
    X = alt.X("x:Q", scale=sx, title=_("input x"))
    Y = alt.Y("y:Q", scale=sy, title=_("target y"))
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
                alt.Tooltip("x:Q", title=_("click: outlier to x")),
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
            x=X,
            y=Y,
            color=_colour(names, "right", gettext),
            strokeDash=_dash(names),
            tooltip=[alt.Tooltip("name:N", title=_("loss function"))],
        )
    )
    dots = (
        alt.Chart(pts)
        .mark_circle(stroke="black", strokeWidth=1, opacity=1)
        .encode(
            x=X,
            y=Y,
            size=alt.Size("kind:N", scale=alt.Scale(domain=kinds, range=[160, 400]), legend=None),
            fill=alt.Fill(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[NEUTRAL, OUTPUT]),
                legend=alt.Legend(title=_("Point"), orient="right"),
            ),
            tooltip=[
                alt.Tooltip("kind:N", title=_("point")),
                alt.Tooltip("x:Q", format=".2f"),
                alt.Tooltip("y:Q", format=".2f"),
            ],
        )
    )
    title = _("One outlier, three fits")
    return alt.layer(click, fit, dots).properties(title=title, height=420)
