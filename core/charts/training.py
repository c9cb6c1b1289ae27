"""Charts of live training: curves, parameters, decision boundaries, digits, filters.

Data in (histories, snapshots, tensors), `alt.Chart` out; the page only places them.
"""

import base64
import io
from html import escape

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image

from core.charts import (
    GRADIENT,
    HIGHLIGHT,
    LABEL_FONT_SIZE,
    LEAF,
    NEUTRAL,
    OUTPUT,
    VALUE,
    styled,
)
from core.i18n import N_, Translate, untranslated

LINE_LEGEND = alt.Legend(
    orient="bottom", symbolType="stroke", symbolStrokeWidth=3, symbolSize=500, labelLimit=0
)
# train vs test, the same on every chart: training set green, test set blue.
SPLIT_COLOURS = {N_("train"): LEAF, N_("test"): VALUE}
MAX_POINTS = 600  # per line: a redraw costs the same at step 100 as at step 60,000


def thin(rows: list, limit: int = MAX_POINTS) -> list:
    """At most about `limit` of `rows`, evenly strided, always keeping the last one."""
    if len(rows) <= limit:
        return rows
    stride = -(-len(rows) // limit)
    kept = rows[::stride]
    return kept if kept[-1] is rows[-1] else [*kept, rows[-1]]


def _splits(gettext: Translate) -> tuple[list[str], dict[str, str]]:
    """The train / test labels in the legend's language, and the English split -> label."""
    shown = {split: gettext(split) for split in SPLIT_COLOURS}
    return list(shown.values()), shown


def step_loss_chart(
    steps: list[tuple[int, float]],
    title: str = N_("Loss per step"),
    gettext: Translate = untranslated,
) -> alt.Chart:
    """The batch loss after every optimiser step (`title` English, translated here)."""
    _ = gettext
    df = pd.DataFrame(thin(steps), columns=["step", "loss"])
    chart = (
        alt.Chart(df, title=_(title))
        .mark_line(color=OUTPUT, strokeWidth=2)
        .encode(
            x=alt.X("step:Q", title=_("optimiser step")),
            y=alt.Y("loss:Q", title=_("batch loss"), scale=alt.Scale(zero=False)),
        )
        .properties(height=260)
    )
    return styled(chart)


def history_chart(
    epoch_log: list[dict[str, float]],
    kind: str,
    title: str,
    epochs: int | None = None,
    gettext: Translate = untranslated,
) -> alt.Chart:
    """Train and test `kind` (e.g. "loss", "accuracy") per epoch, one line each."""
    _ = gettext
    domain, label = _splits(gettext)
    kinds = {"loss": _("loss"), "accuracy": _("accuracy")}
    rows = [
        {"epoch": e["epoch"], "set": label[split], "value": e[f"{split} {kind}"]}
        for e in epoch_log
        for split in ("train", "test")
        if f"{split} {kind}" in e
    ]
    df = pd.DataFrame(rows, columns=["epoch", "set", "value"])
    x_scale = alt.Scale(domain=[1, max(epochs or 1, 2)]) if epochs else alt.Undefined
    y_scale = alt.Scale(domain=[0, 1]) if kind == "accuracy" else alt.Scale(zero=False)
    chart = (
        alt.Chart(df, title=title)
        # points while there are few epochs; past 30 they would bury the lines (and dashes)
        .mark_line(point=len(epoch_log) <= 30, strokeWidth=3)
        .encode(
            x=alt.X("epoch:Q", title=_("epoch"), scale=x_scale),
            y=alt.Y("value:Q", title=kinds.get(kind, kind), scale=y_scale),
            color=alt.Color(
                "set:N",
                title=_("data"),
                scale=alt.Scale(domain=domain, range=list(SPLIT_COLOURS.values())),
            ),
            # train and test often lie on top of each other: test is dashed, with square
            # points, so both stay visible (one legend: the same field and title)
            strokeDash=alt.StrokeDash(
                "set:N",
                title=_("data"),
                scale=alt.Scale(domain=domain, range=[[1, 0], [8, 5]]),
            ),
            shape=alt.Shape(
                "set:N",
                title=_("data"),
                scale=alt.Scale(domain=domain, range=["circle", "square"]),
            ),
            tooltip=[
                alt.Tooltip("epoch:Q", title=_("epoch")),
                alt.Tooltip("set:N", title=_("data")),
                alt.Tooltip("value:Q", title=kinds.get(kind, kind), format=".4f"),
            ],
        )
        .properties(height=260)
    )
    return styled(chart)


def parameter_chart(
    tracked: list[dict[str, float]],
    truth: dict[str, float],
    start: dict[str, float],
    gettext: Translate = untranslated,
) -> alt.Chart:
    """w1, w2 and b after every step, walking towards their true values (dashed)."""
    _ = gettext
    names = list(truth)
    rows = [{"step": 0, "parameter": k, "value": start[k]} for k in names]
    rows += [
        {"step": t["step"], "parameter": k, "value": t[k]} for t in thin(tracked) for k in names
    ]
    df = pd.DataFrame(rows)
    colours = alt.Scale(domain=names, range=[VALUE, GRADIENT, HIGHLIGHT][: len(names)])
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=3)
        .encode(
            # before the first step there is one point: the axis still spans 0 to 1 at least
            # (and the spec stays the same as the run grows: the browser only swaps the data)
            x=alt.X(
                "step:Q",
                title=_("optimiser step"),
                scale=alt.Scale(domain={"unionWith": [0, 1]}),
                axis=alt.Axis(format="d"),
            ),
            y=alt.Y("value:Q", title=_("parameter value")),
            color=alt.Color("parameter:N", scale=colours, title=_("learned")),
        )
    )
    rules = (
        alt.Chart(pd.DataFrame({"parameter": names, "value": [truth[k] for k in names]}))
        .mark_rule(strokeDash=[8, 6], strokeWidth=2)
        .encode(y="value:Q", color=alt.Color("parameter:N", scale=colours))
    )
    chart = (lines + rules).properties(
        title=alt.TitleParams(
            _("Learned w and b"), subtitle=_("solid: learned · dashed: the truth")
        ),
        height=300,
    )
    return styled(chart)


def curve_chart(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    snapshot: dict,
    truth: np.ndarray,
    gettext: Translate = untranslated,
) -> alt.Chart:
    """The data, the true curve (dashed) and the MLP's fitted curve."""
    _ = gettext
    domain, label = _splits(gettext)
    points = pd.DataFrame(
        {
            "x": np.concatenate([x_train.ravel(), x_test.ravel()]),
            "y": np.concatenate([y_train.ravel(), y_test.ravel()]),
            "set": [label["train"]] * len(x_train) + [label["test"]] * len(x_test),
        }
    )
    model, true = _("model"), _("truth")
    lines = pd.DataFrame(
        {
            "x": np.concatenate([snapshot["x"], snapshot["x"]]),
            "y": np.concatenate([snapshot["fit"], truth]),
            "curve": [model] * len(truth) + [true] * len(truth),
        }
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=50, opacity=0.6)
        .encode(
            x=alt.X("x:Q", title=_("input x")),
            y=alt.Y("y:Q", title=_("target y"), scale=alt.Scale(domain=[-2.5, 2.5])),
            color=alt.Color(
                "set:N",
                title=_("data"),
                scale=alt.Scale(domain=domain, range=list(SPLIT_COLOURS.values())),
            ),
        )
    )
    curves = (
        alt.Chart(lines)
        .mark_line(strokeWidth=4, clip=True)
        .encode(
            x="x:Q",
            y="y:Q",
            strokeDash=alt.StrokeDash(
                "curve:N",
                title=_("curve"),
                scale=alt.Scale(domain=[model, true], range=[[1, 0], [8, 6]]),
            ),
            detail="curve:N",
            color=alt.value(OUTPUT),
        )
    )
    truth_line = curves.transform_filter(alt.datum.curve == true).encode(color=alt.value(NEUTRAL))
    model_line = curves.transform_filter(alt.datum.curve == model)
    chart = (dots + truth_line + model_line).properties(
        title=alt.TitleParams(
            _("The MLP's curve"), subtitle=_("vermillion: the model · dashed: truth")
        ),
        height=340,
    )
    return styled(chart)


def boundary_chart(
    snapshot: dict,
    x: np.ndarray,
    y: np.ndarray,
    is_test: np.ndarray,
    gettext: Translate = untranslated,
) -> alt.Chart:
    """Decision regions as a heat map (colour = predicted class, shade = confidence) and the data."""
    _ = gettext
    domain, label = _splits(gettext)
    n_classes = int(max(y.max(), snapshot["class"].max())) + 1
    classes = [_("class {k}").format(k=k) for k in range(n_classes)]
    colours = alt.Scale(domain=classes, range=[VALUE, GRADIENT, LEAF, OUTPUT][:n_classes])
    gx, gy = snapshot["x"], snapshot["y"]
    side = int(round(np.sqrt(len(gx))))
    dx = (gx.max() - gx.min()) / (side - 1)
    dy = (gy.max() - gy.min()) / (side - 1)
    grid = pd.DataFrame(
        {
            "x": gx - dx / 2,
            "x2": gx + dx / 2,
            "y": gy - dy / 2,
            "y2": gy + dy / 2,
            "class": [classes[k] for k in snapshot["class"]],
            "confidence": snapshot["confidence"],
        }
    )
    heat = (
        alt.Chart(grid)
        .mark_rect()
        .encode(
            x=alt.X("x:Q", title=_("feature 1"), scale=alt.Scale(domain=[gx.min(), gx.max()])),
            x2="x2",
            y=alt.Y("y:Q", title=_("feature 2"), scale=alt.Scale(domain=[gy.min(), gy.max()])),
            y2="y2",
            color=alt.Color("class:N", scale=colours, title=_("class")),
            opacity=alt.Opacity(
                "confidence:Q",
                scale=alt.Scale(domain=[1.0 / n_classes, 1.0], range=[0.05, 0.55]),
                legend=None,
            ),
        )
    )
    pts = pd.DataFrame(
        {
            "x": x[:, 0],
            "y": x[:, 1],
            "class": [classes[k] for k in y],
            "set": np.where(is_test, label["test"], label["train"]),
        }
    )
    dots = (
        alt.Chart(pts)
        .mark_point(filled=True, size=60, stroke="black", strokeWidth=0.8, opacity=1)
        .encode(
            x="x:Q",
            y="y:Q",
            color=alt.Color("class:N", scale=colours),
            shape=alt.Shape(
                "set:N",
                title=_("data"),
                scale=alt.Scale(domain=domain, range=["circle", "triangle-up"]),
            ),
        )
    )
    chart = (heat + dots).properties(
        title=_("Decision regions and the data"), height=350, width=350
    )
    return styled(chart)


def image_grid(
    images: np.ndarray,
    titles: list[str],
    title: str,
    columns: int = 5,
    diverging: bool = False,
    cell: int = 10,
) -> alt.Chart:
    """Small images (n, h, w) as a grid of heat maps, each with its own caption."""
    n, h, w = images.shape
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    df = pd.concat(
        [
            pd.DataFrame(
                {
                    "panel": titles[i],
                    "order": i,
                    "row": rows.ravel(),
                    "col": cols.ravel(),
                    "value": images[i].ravel().astype(float),
                }  # fmt: skip
            )
            for i in range(n)
        ]
    )
    if diverging:
        limit = float(np.abs(images).max()) or 1.0
        scale = alt.Scale(scheme="blueorange", domain=[-limit, limit])
    else:
        scale = alt.Scale(scheme="greys", domain=[0, float(images.max()) or 1.0])
    base = (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=alt.Color("value:Q", scale=scale, legend=None),
        )
        .properties(width=cell * w, height=cell * h)
    )
    header = alt.Header(labelFontSize=16, title=None)
    chart = base.facet(
        facet=alt.Facet("panel:N", sort=alt.SortField("order"), header=header),
        columns=columns,
        title=title,
    ).configure_view(stroke=None)
    return styled(chart)


def _hex(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _png(image: np.ndarray, limit: float, diverging: bool, scale: int) -> str:
    """One small image as a PNG data URL: blue-white-orange around 0, or white to black."""
    if diverging:
        t = np.clip(image / limit, -1.0, 1.0)[..., None]
        white = np.array([255.0, 255.0, 255.0])
        rgb = np.where(
            t < 0, white + (white - _hex(VALUE)) * t, white + (_hex(GRADIENT) - white) * t
        )
    else:
        t = np.clip(image / limit, 0.0, 1.0)[..., None]
        rgb = 255.0 * (1.0 - t) * np.ones(3)
    pixels = np.repeat(np.repeat(rgb.astype(np.uint8), scale, 0), scale, 1)
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def image_grid_html(
    images: np.ndarray,
    titles: list[str],
    title: str,
    diverging: bool = False,
    size_rem: float = 4.0,
) -> str:
    """Small images (n, h, w) as HTML tiles that wrap to the width of their column.

    Unlike a faceted chart of fixed width, the tiles flow onto as many rows as the column
    needs, so the grid never spills; captions are page text and grow with presenter mode.
    Titles are escaped.
    """
    limit = float(np.abs(images).max()) or 1.0
    scale = max(1, 48 // max(images.shape[1:]))
    tiles = "".join(
        '<figure style="margin:0; text-align:center;">'
        f'<img src="{_png(img, limit, diverging, scale)}" alt="{escape(name)}" '
        f'style="width:{size_rem}rem; height:{size_rem}rem; image-rendering:pixelated; '
        'display:block; border:1px solid #DDD;">'
        f'<figcaption style="font-size:0.85rem; line-height:1.3;">{escape(name)}</figcaption>'
        "</figure>"
        for img, name in zip(images, titles, strict=True)
    )
    return (
        f'<div style="font-weight:600; font-size:1.05rem; margin:0.2rem 0 0.4rem;">{escape(title)}'
        '</div><div style="display:flex; flex-wrap:wrap; gap:0.5rem 0.6rem;">' + tiles + "</div>"
    )


def confusion_chart(confusion: np.ndarray, gettext: Translate = untranslated) -> alt.Chart:
    """Test-set confusion matrix: true digit down, predicted digit across, counts in the cells."""
    _ = gettext
    k = confusion.shape[0]
    t, p = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    df = pd.DataFrame({"true": t.ravel(), "predicted": p.ravel(), "count": confusion.ravel()})
    base = alt.Chart(df).encode(
        x=alt.X("predicted:O", title=_("predicted digit"), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("true:O", title=_("true digit")),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None)
    )
    text = base.mark_text(fontSize=LABEL_FONT_SIZE).encode(
        text=alt.condition(alt.datum.count > 0, "count:Q", alt.value("")),
        color=alt.condition(
            alt.datum.count > float(confusion.max()) / 2, alt.value("white"), alt.value("black")
        ),
    )
    chart = (cells + text).properties(title=_("Confusion matrix"), width="container", height=380)
    return styled(chart)


def sequence_chart(snapshot: dict, gettext: Translate = untranslated) -> alt.Chart:
    """sin(t) fed in, cos(t) wanted, the network's prediction, along time."""
    _ = gettext
    t = snapshot["t"]
    domain = [_("input sin(t)"), _("target cos(t)"), _("prediction")]
    df = pd.DataFrame(
        {
            "time": np.concatenate([t, t, t]),
            "value": np.concatenate([snapshot["sin"], snapshot["cos"], snapshot["prediction"]]),
            "series": [name for name in domain for _t in t],
        }
    )
    chart = (
        alt.Chart(df, title=_("The RNN reads sin(t) and predicts cos(t)"))
        .mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=30))
        .encode(
            x=alt.X("time:Q", title=_("time t")),
            y=alt.Y("value:Q", title=_("value"), scale=alt.Scale(domain=[-1.6, 1.6], clamp=True)),
            # the legend draws line samples (dashed as on the plot), not the points' blobs
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=domain, range=[VALUE, LEAF, OUTPUT]),
                legend=LINE_LEGEND,
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                scale=alt.Scale(domain=domain, range=[[2, 3], [8, 5], [1, 0]]),
                legend=LINE_LEGEND,
            ),
        )
        .properties(height=340)
    )
    return styled(chart)
