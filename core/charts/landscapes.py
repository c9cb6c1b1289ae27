"""Charts for the gradient-descent page: landscape map with paths, loss curves, Li et al. slice."""

import base64
import io

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from core.charts import GRADIENT, HIGHLIGHT, LEAF, NEUTRAL, OUTPUT, VALUE
from core.i18n import Translate, untranslated
from core.landscapes.contours import contour_segments
from core.landscapes.descent import Trajectory
from core.landscapes.functions import Landscape, display_name
from core.landscapes.network_slice import SliceResult

# One fixed colour per optimiser, so a path keeps its colour when others are toggled.
COLOURS = {
    "SGD": VALUE,
    "Momentum": GRADIENT,
    "Nesterov": LEAF,
    "Adam": OUTPUT,
    "RMSprop": HIGHLIGHT,
    "Adagrad": "#000000",
}
SELECTION = "start"  # name of the click selection on the landscape map

# A light ramp (low loss pale, high loss slate) so coloured paths stand out on top.
_RAMP = np.array([[255, 255, 255], [222, 232, 240], [176, 196, 214], [120, 140, 165]], float)


def heat_png(
    z: np.ndarray,
    f_min: float,
    segments: pd.DataFrame | None = None,
    window: tuple[float, float, float, float] | None = None,
    size: int = 560,
) -> str:
    """The grid as a PNG data URL, shaded by log(f - f_min), north up, contour lines drawn in.

    The contours (x, y, x2, y2 segments over `window` = (x0, x1, y0, y1)) are drawn into the
    picture rather than sent as thousands of chart marks, which every rerun of the page would
    make the browser lay out again. Drawn at twice the size and scaled down, so they are smooth.
    """
    gap = np.log10(np.maximum(np.nan_to_num(z, nan=np.inf, posinf=1e300) - f_min, 0) + 1e-3)
    gap = np.minimum(gap, 300)
    lo, hi = np.percentile(gap, [1, 99])
    u = np.clip((gap - lo) / max(hi - lo, 1e-9), 0, 1) * (len(_RAMP) - 1)
    i = np.minimum(u.astype(int), len(_RAMP) - 2)
    frac = (u - i)[..., None]
    rgb = _RAMP[i] * (1 - frac) + _RAMP[i + 1] * frac
    img = Image.fromarray(rgb[::-1].astype(np.uint8), "RGB")
    if segments is not None and window is not None and len(segments):
        big = img.resize((2 * size, 2 * size), Image.BILINEAR)
        x0, x1, y0, y1 = window
        sx, sy = 2 * size / (x1 - x0), 2 * size / (y1 - y0)
        px = (segments[["x", "x2"]].to_numpy() - x0) * sx
        py = (y1 - segments[["y", "y2"]].to_numpy()) * sy
        draw = ImageDraw.Draw(big)
        grey = tuple(int(NEUTRAL[k : k + 2], 16) for k in (1, 3, 5))
        for (a, b), (c, d) in zip(px, py, strict=True):
            draw.line((a, c, b, d), fill=grey, width=2)
        img = big.resize((size, size), Image.BOX)
    img = img.quantize(64)  # a palette: a third of the bytes, no visible banding
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _colour_scale(trajectories: dict[str, Trajectory]) -> alt.Scale:
    """Each optimiser's fixed colour, for the optimisers drawn only: the legend lists those."""
    shown = [name for name in COLOURS if name in trajectories] or list(COLOURS)[:1]
    return alt.Scale(domain=shown, range=[COLOURS[name] for name in shown])


def _scales(land: Landscape):
    x0, x1, y0, y1 = land.window
    sx = alt.Scale(domain=[x0, x1], nice=False, zero=False)
    sy = alt.Scale(domain=[y0, y1], nice=False, zero=False)
    return sx, sy


def _path_frame(trajectories: dict[str, Trajectory], land: Landscape, upto: int) -> pd.DataFrame:
    """Every path up to step `upto`, with far-away points pulled in so drawing stays sane."""
    x0, x1, y0, y1 = land.window
    span = max(x1 - x0, y1 - y0)
    rows = []
    for name, tr in trajectories.items():
        n = min(upto, tr.steps) + 1
        xy = np.clip(tr.xy[:n], min(x0, y0) - 5 * span, max(x1, y1) + 5 * span)
        rows.append(
            pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "step": np.arange(n), "optimiser": name})
        )
    if not rows:
        return pd.DataFrame(columns=["x", "y", "step", "optimiser"])
    return pd.concat(rows, ignore_index=True)


def landscape_chart(
    land: Landscape,
    heat_url: str,
    trajectories: dict[str, Trajectory],
    step: int,
    start: tuple[float, float],
    clickable: int = 30,
    height: int = 560,
    gettext: Translate = untranslated,
) -> alt.LayerChart:
    """Heat map with contours (a PNG from `heat_png`) + one path per optimiser + markers.

    An invisible grid of `clickable` x `clickable` points carries a point selection: a click
    anywhere on the map reports the nearest as a start point.
    """
    _ = gettext
    sx, sy = _scales(land)
    x0, x1, y0, y1 = land.window
    X = alt.X("x:Q", scale=sx, title=_("x (first parameter)"))
    Y = alt.Y("y:Q", scale=sy, title=_("y (second parameter)"))
    image = (
        alt.Chart(pd.DataFrame({"x": [x0], "x2": [x1], "y": [y0], "y2": [y1], "url": [heat_url]}))
        .mark_image(aspect=False, align="left", baseline="bottom")
        .encode(x=X, x2="x2:Q", y=Y, y2="y2:Q", url="url:N")
    )
    # Invisible points on a grid; a click anywhere picks the nearest one as the start point.
    cx = np.linspace(x0, x1, clickable + 1)
    cy = np.linspace(y0, y1, clickable + 1)
    gx, gy = np.meshgrid((cx[:-1] + cx[1:]) / 2, (cy[:-1] + cy[1:]) / 2)
    cells = pd.DataFrame({"x": gx.ravel().round(3), "y": gy.ravel().round(3)})
    pick = alt.selection_point(
        name=SELECTION, fields=["x", "y"], on="click", clear=False, nearest=True
    )
    click = (
        alt.Chart(cells)
        .mark_point(opacity=0)
        .encode(
            x=X,
            y=Y,
            tooltip=[
                alt.Tooltip("x:Q", title=_("click to start at x")),
                alt.Tooltip("y:Q", title="y"),
            ],
        )
        .add_params(pick)
    )
    colour = alt.Color(
        "optimiser:N",
        scale=_colour_scale(trajectories),
        legend=alt.Legend(title=_("Optimiser"), orient="bottom", columns=6, labelLimit=0),
    )
    paths = _path_frame(trajectories, land, step)
    halo = (
        alt.Chart(paths)
        .mark_line(color="white", strokeWidth=6, clip=True)
        .encode(x=X, y=Y, order="step:Q", detail="optimiser:N")
    )
    lines = (
        alt.Chart(paths)
        .mark_line(strokeWidth=3, clip=True)
        .encode(x=X, y=Y, order="step:Q", color=colour)
    )
    last = paths.groupby("optimiser", as_index=False).last() if len(paths) else paths
    heads = (
        alt.Chart(last)
        .mark_circle(size=220, stroke="black", strokeWidth=1.5, opacity=1, clip=True)
        .encode(
            x=X,
            y=Y,
            color=colour,
            tooltip=[
                alt.Tooltip("optimiser:N", title=_("optimiser")),
                alt.Tooltip("step:Q", title=_("step")),
                alt.Tooltip("x:Q", format=".4f"),
                "y:Q",
            ],
        )
    )
    kinds = [_("known minimum"), _("saddle point"), _("start")]
    marks = [{"x": m[0], "y": m[1], "what": kinds[0]} for m in land.minima]
    marks += [{"x": s[0], "y": s[1], "what": kinds[1]} for s in land.saddles]
    marks.append({"x": start[0], "y": start[1], "what": kinds[2]})
    special = (
        alt.Chart(pd.DataFrame(marks))
        .mark_point(size=380, filled=True, stroke="black", strokeWidth=1.5, clip=True)
        .encode(
            x=X,
            y=Y,
            shape=alt.Shape(
                "what:N",
                scale=alt.Scale(
                    domain=kinds,
                    range=["diamond", "triangle-up", "square"],
                ),
                legend=None,  # said in the caption: a second legend had no room beside the first
            ),
            fill=alt.value("white"),
            tooltip=[
                alt.Tooltip("what:N", title=_("marker")),
                alt.Tooltip("x:Q", format=".4f"),
                alt.Tooltip("y:Q", format=".4f"),
            ],
        )
    )
    return alt.layer(image, click, halo, lines, special, heads).properties(
        title=_("{landscape}: paths up to step {step}").format(
            landscape=display_name(land, gettext), step=step
        ),
        height=height,
    )


def loss_chart(
    trajectories: dict[str, Trajectory],
    f_min: float,
    step: int,
    height: int = 300,
    gettext: Translate = untranslated,
) -> alt.LayerChart:
    """f(θ_t) - f_min against the iteration, log scale, with a rule at the scrubbed step."""
    _ = gettext
    rows = [
        pd.DataFrame(
            {
                "step": np.arange(len(tr.loss)),
                "gap": np.maximum(tr.loss - f_min, 1e-12),
                "optimiser": name,
            }
        )
        for name, tr in trajectories.items()
    ]
    data = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(columns=["step", "gap", "optimiser"])
    )
    colour = alt.Color("optimiser:N", scale=_colour_scale(trajectories), legend=None)
    lines = (
        alt.Chart(data)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("step:Q", title=_("iteration")),
            y=alt.Y(
                "gap:Q",
                scale=alt.Scale(type="log"),
                title=_("loss above the minimum"),
                axis=alt.Axis(labelOverlap="greedy", labelSeparation=6),
            ),
            color=colour,
            tooltip=[
                alt.Tooltip("optimiser:N", title=_("optimiser")),
                alt.Tooltip("step:Q", title=_("step")),
                alt.Tooltip("gap:Q", format=".3g", title=_("loss above the minimum")),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"step": [step]}))
        .mark_rule(color=HIGHLIGHT, strokeWidth=2, strokeDash=[6, 3])
        .encode(x="step:Q")
    )
    # more room above the title than styled's 8 px: beside the start inputs its glyphs reached
    # 10 px above the chart's box (the layout test, 1280 x 720 with the sidebar)
    room = {"top": 20, "left": 0, "right": 0, "bottom": 0}
    title = _("Loss (log scale)")
    # `height` is the plot's own: under Streamlit's default (fit the whole chart, title and
    # axes included, into `height`) the rotated axis title outgrew the plot and squashed it
    # flat, its "1e-12" onto its "100" (the layout test, presenter mode and 1920 x 1080)
    fit_width = alt.AutoSizeParams(type="fit-x", contains="padding")
    return alt.layer(lines, rule).properties(
        title=title, height=height, padding=room, autosize=fit_width
    )


def slice_chart(
    result: SliceResult, levels: int = 14, height: int = 460, gettext: Translate = untranslated
) -> alt.LayerChart:
    """Li et al. contour map of the loss around the trained weights (log-shaded cells)."""
    _ = gettext
    a, b = result.alphas, result.betas
    aa, bb = np.meshgrid(a, b)
    da, db = (a[1] - a[0]) / 2, (b[1] - b[0]) / 2
    cells = pd.DataFrame(
        {
            "a": aa.ravel() - da,
            "a2": aa.ravel() + da,
            "b": bb.ravel() - db,
            "b2": bb.ravel() + db,
            "alpha": aa.ravel(),
            "beta": bb.ravel(),
            "loss": result.loss.ravel(),
        }
    )
    sx = alt.Scale(domain=[a[0] - da, a[-1] + da], nice=False, zero=False)
    sy = alt.Scale(domain=[b[0] - db, b[-1] + db], nice=False, zero=False)
    heat = (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X("a:Q", scale=sx, title=_("α along direction δ")),
            x2="a2:Q",
            y=alt.Y("b:Q", scale=sy, title=_("β along direction η")),
            y2="b2:Q",
            color=alt.Color(
                "loss:Q",
                scale=alt.Scale(type="log", scheme="blues", reverse=True),
                legend=alt.Legend(title=_("loss")),
            ),
            tooltip=[
                alt.Tooltip("alpha:Q", format=".2f", title="α"),
                alt.Tooltip("beta:Q", format=".2f", title="β"),
                alt.Tooltip("loss:Q", format=".4g", title=_("loss")),
            ],
        )
    )
    lo, hi = np.log10(result.loss.min() + 1e-9), np.log10(result.loss.max())
    segs = contour_segments(a, b, result.loss, 10 ** np.linspace(lo, hi, levels + 2)[1:-1])
    lines = (
        alt.Chart(segs)
        .mark_rule(color="black", strokeWidth=1, opacity=0.6)
        .encode(x=alt.X("x:Q", scale=sx), y=alt.Y("y:Q", scale=sy), x2="x2:Q", y2="y2:Q")
    )
    centre = (
        alt.Chart(pd.DataFrame({"x": [0.0], "y": [0.0], "what": [_("trained weights θ*")]}))
        .mark_point(shape="diamond", size=300, filled=True, color=OUTPUT, stroke="black")
        .encode(
            x=alt.X("x:Q", scale=sx),
            y=alt.Y("y:Q", scale=sy),
            tooltip=[alt.Tooltip("what:N", title=_("marker"))],
        )
    )
    n = len(a)
    return alt.layer(heat, lines, centre).properties(
        title=alt.TitleParams(
            _("Loss around the trained weights θ*"),
            subtitle=_("θ* + αδ + βη on a {n} × {n} grid").format(n=n),
        ),
        height=height,
    )


def interpolation_chart(
    result: SliceResult, height: int = 300, gettext: Translate = untranslated
) -> alt.LayerChart:
    """Loss along the straight line from the initial (t = 0) to the trained (t = 1) weights."""
    _ = gettext
    data = pd.DataFrame({"t": result.line_t, "loss": result.line_loss})
    line = (
        alt.Chart(data)
        .mark_line(color=VALUE, strokeWidth=3)
        .encode(
            x=alt.X("t:Q", title=_("t  (0 = initial, 1 = trained)")),
            y=alt.Y("loss:Q", title=_("training loss")),
            tooltip=[
                alt.Tooltip("t:Q", format=".2f"),
                alt.Tooltip("loss:Q", format=".4g", title=_("training loss")),
            ],
        )
    )
    ends = pd.DataFrame(
        {
            "t": [0.0, 1.0],
            "loss": np.interp([0.0, 1.0], result.line_t, result.line_loss),
            "what": [_("initial"), _("trained")],
        }
    )
    dots = (
        alt.Chart(ends)
        .mark_point(size=200, filled=True, color=OUTPUT, stroke="black")
        .encode(
            x="t:Q",
            y="loss:Q",
            tooltip=[
                alt.Tooltip("what:N", title=_("marker")),
                alt.Tooltip("loss:Q", title=_("training loss")),
            ],
        )
    )
    return alt.layer(line, dots).properties(
        title=alt.TitleParams(_("1-D interpolation"), subtitle="(1 − t) θ₀ + t θ*"), height=height
    )
