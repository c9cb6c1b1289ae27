"""Gradient descent: real torch.optim optimisers racing across 2-D loss landscapes."""

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import heavy, i18n, predict, ui
from app_pages.i18n import _
from core import optimisers
from core.charts import landscapes as charts
from core.charts import styled
from core.i18n import N_
from core.ladder import log_ladder, nearest_rung
from core.landscapes import contours, descent, functions, network_slice
from core.shareable import Param, from_query

LR_OPTIONS = log_ladder(-4, 0, (1, 2, 5))  # 0.0001 ... 1
NOISE_OPTIONS = [0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
NAMES = {
    "quadratic": N_("Quadratic bowl"),
    "saddle": N_("Saddle"),
    "rosenbrock": "Rosenbrock",
    "himmelblau": "Himmelblau",
    "beale": "Beale",
    "rastrigin": "Rastrigin",
    "camel": N_("Six-hump camel"),
}
# Himmelblau by default: from (0, 0) the optimisers part ways (momentum reaches another
# minimum, Adam lags behind SGD), where Rosenbrock left Adam and RMSprop near the start.
DEFAULT = functions.landscape("himmelblau")
KEPT_SLICE = N_("The slice shown before, if any, is kept; nothing of this one is.")
BETA_MIN = 0.01  # at β = 0 torch.optim.SGD keeps no momentum buffer and refuses Nesterov
# The shareable setup: URL names are the widget keys, e.g. ?fn=himmelblau&opt=Adam,SGD&lr=0.01
PARAMS = [
    Param("fn", DEFAULT.key, options=functions.KEYS),
    Param("opt", ["SGD", "Momentum", "Adam", "RMSprop"], options=optimisers.NAMES, multi=True),
    Param("lr", DEFAULT.lr, LR_OPTIONS[0], LR_OPTIONS[-1]),
    Param("steps", 300, 10, 1000),
    Param("beta", 0.9, BETA_MIN, 0.99),
    Param("noise", 0.0, NOISE_OPTIONS[0], NOISE_OPTIONS[-1]),
    Param("x0", DEFAULT.start[0], -10.0, 10.0),
    Param("y0", DEFAULT.start[1], -10.0, 10.0),
    Param("kappa", 10.0, 1.0, 100.0),
]


@st.cache_data(max_entries=32, show_spinner=False)
def _background(key: str, kappa: float) -> str:
    """The landscape's shading with its contour lines, as one picture (a PNG data URL)."""
    land = functions.landscape(key, kappa)
    grid = contours.evaluate_grid(land, 200)
    coarse = contours.evaluate_grid(land, 100)
    levels = contours.log_levels(grid.z, land.f_min)
    segments = contours.contour_segments(coarse.xs, coarse.ys, coarse.z, levels)
    return charts.heat_png(grid.z, land.f_min, segments, land.window)


@st.cache_data(max_entries=64, show_spinner=False)
def _runs(key, kappa, names, lr, steps, beta, start, noise) -> dict[str, descent.Trajectory]:
    land = functions.landscape(key, kappa)
    return descent.run_optimisers(land, names, lr, steps, beta, start, noise)


def _nearest_lr(value: float) -> float:
    return nearest_rung(LR_OPTIONS, value)


def _reset_for_landscape() -> None:
    land = functions.landscape(st.session_state.fn, st.session_state.get("kappa", 10.0))
    st.session_state.lr = _nearest_lr(land.lr)
    st.session_state.x0, st.session_state.y0 = land.start
    st.session_state.pop("gd_step", None)  # a new landscape shows its paths to the end


def _canonical_names() -> None:
    """Let a hand-typed link say fn=Himmelblau or opt=adam,sgd: match names ignoring case."""
    lookup = {k.lower(): k for k in functions.KEYS} | {v.lower(): k for k, v in NAMES.items()}
    lookup |= {o.lower(): o for o in optimisers.NAMES}
    for param in [p for p in PARAMS if p.key in ("fn", "opt")]:
        name, raw = param.key, st.query_params.get(param.key)
        if raw is not None and len(raw) <= param.max_chars:  # longer: load_settings refuses it
            fixed = ",".join(lookup.get(item.strip().lower(), item) for item in raw.split(","))
            if fixed != raw:
                st.query_params[name] = fixed


def _settings_from_link() -> None:
    """Seed the widgets from the link; what it leaves out follows the chosen landscape."""
    first = not st.session_state.get("_gd_link_read")
    _canonical_names()
    ui.load_settings(PARAMS)
    state = st.session_state
    if first:
        given, _ = from_query(PARAMS, st.query_params.to_dict())
        land = functions.landscape(state.fn, state.kappa)
        if "lr" not in given:
            state.lr = land.lr
        if "x0" not in given:
            state.x0 = land.start[0]
        if "y0" not in given:
            state.y0 = land.start[1]
        state._gd_link_read = True
    # snap to what the widgets can show: the log ladders, steps of 10, the landscape's window
    state.lr = _nearest_lr(state.lr)
    state.noise = min(NOISE_OPTIONS, key=lambda o: abs(o - state.noise))
    state.steps = int(round(state.steps / 10) * 10)
    x_lo, x_hi, y_lo, y_hi = functions.landscape(state.fn, state.kappa).window
    state.x0 = float(np.clip(state.x0, x_lo, x_hi))
    state.y0 = float(np.clip(state.y0, y_lo, y_hi))


def _on_pick() -> None:
    """A click on the map sets the start point (before the widgets are drawn again)."""
    event = st.session_state.get("gd_map") or {}
    points = (event.get("selection") or {}).get(charts.SELECTION) or []
    if points:
        land = functions.landscape(st.session_state.fn, st.session_state.get("kappa", 10.0))
        x0, x1, y0, y1 = land.window
        st.session_state.x0 = float(np.clip(points[0]["x"], x0, x1))
        st.session_state.y0 = float(np.clip(points[0]["y"], y0, y1))


st.title(_("Gradient descent"))
_settings_from_link()

# A slide: one row of choices (the optimisers' chips need the width), the map on the left,
# the controls that drive it beside it, the loss under them; the update rule, the formulas
# and the table below the picture.
c1, c2 = st.columns([1, 3])
key = c1.selectbox(
    _("Landscape"),
    functions.KEYS,
    format_func=lambda k: _(NAMES[k]),
    key="fn",
    on_change=_reset_for_landscape,
)
names = c2.multiselect(_("Optimisers"), optimisers.NAMES, key="opt")
left, right = st.columns([3, 2])
with right:
    asking = st.container()  # a question beside the map, above the controls: on the slide
    kappa = 10.0
    if key == "quadratic":
        kappa = st.slider(
            _("Condition number κ"), 1.0, 100.0, step=1.0, key="kappa",
            help=_("Ratio of the steepest to the flattest curvature of the bowl."),
        )  # fmt: skip
    c3, c4 = st.columns(2)
    lr = c3.select_slider(
        _("Learning rate α"), LR_OPTIONS, key="lr", format_func=lambda v: f"{v:g}",
        help=_("On a log scale: each notch multiplies α by about 2."),
    )  # fmt: skip
    beta = c4.slider(
        _("Momentum β"), BETA_MIN, 0.99, step=0.01, key="beta",
        help=_(
            "Used by momentum and Nesterov, and as Adam's β₁. β = 0 would be plain SGD "
            "(pick SGD for that): torch.optim refuses Nesterov without momentum."
        ),
    )  # fmt: skip
    c5, c6 = st.columns(2)
    steps = c5.slider(_("Steps"), 10, 1000, step=10, key="steps")
    noise = c6.select_slider(
        _("Gradient noise σ"),
        NOISE_OPTIONS,
        key="noise",
        help=_(
            "Adds N(0, σ²) to every gradient component: a stand-in for the noise of "
            "mini-batch sampling (a landscape has no data set to sample batches from)."
        ),
    )
    land = functions.landscape(key, kappa)
    x0, x1, y0, y1 = land.window
    c7, c8 = st.columns(2)
    sx = c7.number_input(_("Start x"), x0, x1, step=0.1, format="%.3f", key="x0")
    sy = c8.number_input(_("Start y"), y0, y1, step=0.1, format="%.3f", key="y0")
start = (float(sx), float(sy))
ui.publish_settings(PARAMS if key == "quadratic" else PARAMS[:-1])  # κ only for the bowl

# everything the paths depend on; with the step shown, everything the charts depend on
with asking:
    racing = predict.ask("gradient_descent.rosenbrock_race", "gradient_descent.sgd_diverges")
racers = tuple(names) if racing else ()  # predict first: the landscape, no paths yet
setup = (key, kappa, racers, float(lr), int(steps), float(beta), start, float(noise))
runs = _runs(*setup)
heat_url = _background(key, kappa)

if st.session_state.get("gd_step", steps) > steps:
    st.session_state.gd_step = steps

with left:
    step = st.session_state.get("gd_step", steps)
    ui.chart(
        ("gd map", *setup, step),
        lambda: charts.landscape_chart(
            land, heat_url, runs, step, start, gettext=i18n.translator()
        ),
        width="stretch",
        on_select=_on_pick,
        selection_mode=charts.SELECTION,
        key="gd_map",
    )
    step = st.slider(_("Scrub through the iterations"), 0, steps, steps, 1, key="gd_step")
    st.caption(
        _(
            "Each coloured line is one optimiser's path from the start (square) towards a "
            "minimum (diamond); a triangle marks a saddle point. Thin grey lines join points of "
            "equal loss; lighter ground is lower loss. Click the map to start somewhere else."
        )
    )
with right:
    if not names:
        st.info(_("Pick at least one optimiser to see it walk."))
    ui.chart(
        ("gd loss", *setup, step),
        lambda: charts.loss_chart(runs, land.f_min, step, height=240, gettext=i18n.translator()),
        width="stretch",
    )
    st.caption(
        _(
            "How far each optimiser's loss is above the best possible value, step by step, on "
            "a log scale: a straight fall means steady progress; the dashed line marks the step "
            "shown."
        )
    )
    for tr in runs.values():
        if tr.diverged_at is not None:
            st.warning(tr.message(i18n.translator()), icon=":material/warning:")

# Below the picture: what the page does, the landscape's formula, the update rule, the table.
ui.explain(
    _(
        "The lecture's update rule, live: each optimiser is the real `torch.optim` class "
        "stepping a 2-element parameter θ = (x, y) down a test function. Change the learning "
        "rate, the number of steps, the momentum, or click on the map to start somewhere else."
    )
)
# formulas on the page's whole width: a long gradient is never cut by a half column
st.latex(r"\theta \leftarrow \theta - \alpha\, \nabla_\theta L(\theta)")
if land.note:
    ui.explain(_("**{landscape}.** {note}").format(landscape=_(NAMES[key]), note=_(land.note)))
st.latex(land.latex)
st.latex(land.grad_latex)
st.caption(
    _(
        "The gradient each optimiser is handed at every step, derived by hand; the tests check "
        "it against autograd's `loss.backward()` to twelve digits."
    )
)
if runs:
    # the update rule beside the table, then this step's numbers on the whole width
    rule_col, table_col = st.columns([1, 1])
    with rule_col:
        rule_name = st.selectbox(_("Update rule of"), list(runs), key="gd_rule")
        st.latex(descent.RULES[rule_name])
    rows = []
    for name, tr in runs.items():
        (mx, my), dist = functions.nearest_minimum(land, tr.xy[-1])
        rows.append(
            {
                _("optimiser"): name,
                _("status"): _("diverged") if tr.diverged_at is not None else _("ok"),
                _("final loss"): f"{float(tr.loss[-1]):.3g}",
                _("nearest minimum"): f"({mx:g}, {my:g})",
                _("distance"): f"{float(dist):.3g}",
            }
        )
    with table_col:
        # a small table drawn as a table: every column in view, cells wrap, nothing scrolls
        st.table(pd.DataFrame(rows).set_index(_("optimiser")))
    # the rule with this step's numbers, on the whole width (its vectors are long)
    tr = runs[rule_name]
    if tr.steps == 0:
        st.info(_("{name} diverged before its first step could be shown.").format(name=rule_name))
    else:
        t = min(step, tr.steps - 1)
        for line in descent.update_latex(rule_name, tr, t, lr, beta).split(r"\\[4pt]"):
            st.latex(line)
        if tr.diverged_at is not None and step > t + 1:
            st.caption(
                _("{name} stopped at step {step}; showing its last step.").format(
                    name=rule_name, step=tr.steps
                )
            )
ui.show_code(descent.CODE_OPTIMISER, _("Show the code: one optimiser's path"))
ui.show_code(contours.CODE_GRID, _("Show the code: the landscape on a grid"))

# ------------------------------------------------------------------------- Li et al. slice
st.header(_("A real network's landscape"))
ui.explain(
    _(
        "Li et al. (*Visualizing the loss landscape of neural nets*, NeurIPS 2018): train a "
        "small MLP on two half-moons, then look at its loss on the plane θ* + αδ + βη through "
        "the trained weights θ*. The random directions δ and η are *filter-normalised*: each "
        "row of each weight matrix is rescaled to the norm of the same row of θ*, and bias "
        "directions are zero, so the picture does not depend on how the weights happen to be "
        "scaled."
    )
)
a, b, c = st.columns([1, 1, 1])
with a:
    resolution = st.select_slider(
        _("Grid resolution"), [11, 21, 31, 41, 51], value=31, key="li_res"
    )
with b:
    span = st.slider(_("Half-width of the slice"), 0.25, 2.0, 1.0, 0.25, key="li_span")
with c:
    go = st.button(
        _("Compute the landscape slice"),
        key="li_go",
        type="primary",
        help=_("Trains a small network, then sweeps its loss: a few seconds."),
    )
if go:
    with heavy.turn("compute the slice") as admitted:
        if admitted:
            bar = st.progress(0.0, text=_("Training the MLP..."))
            stop = heavy.stopper()
            sweep = network_slice.li_slice(resolution=resolution, span=span, should_stop=stop)
            for event in heavy.until_stopped(sweep, stop, KEPT_SLICE):
                stage = _("Training the MLP") if event.stage == "train" else _("Sweeping the grid")
                bar.progress(
                    event.fraction,
                    text=_("{stage}: {done}/{total}").format(
                        stage=stage, done=event.done, total=event.total
                    ),
                )
                if event.result is not None:
                    st.session_state.li_result = event.result
            bar.empty()
result = st.session_state.get("li_result")
if result is None:
    st.info(_("Press the button to train the MLP and sweep its loss landscape (a few seconds)."))
else:
    left, right = st.columns([3, 2])
    gettext = i18n.translator()
    with left:
        st.altair_chart(styled(charts.slice_chart(result, gettext=gettext)), width="stretch")
    with right:
        st.altair_chart(
            styled(charts.interpolation_chart(result, gettext=gettext)), width="stretch"
        )
        st.metric(_("Training accuracy of the trained MLP"), f"{result.accuracy:.0%}")
ui.show_code(network_slice.CODE_LI, _("Show the code: a filter-normalised slice"))
