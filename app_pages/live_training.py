"""Live training: the lecture's regression, classification, RNN and CNN learning while you watch."""

import time
from collections.abc import Callable

import numpy as np
import streamlit as st
import torch

from app_pages import ui
from core.charts import training as charts
from core.ladder import log_ladder, nearest_rung
from core.optimisers import NAMES as OPTIMIZERS
from core.shareable import Param
from core.training import (
    EXAMPLES,
    CNNConfig,
    CurveConfig,
    RegressionConfig,
    RNNConfig,
    SoftmaxConfig,
    ToyConfig,
    datasets,
    make_run,
)
from core.training.cnn import feature_maps
from core.training.loop import PHASE_WORDS, Run, Status, scaffold_at
from core.training.models import ACTIVATIONS, RECURRENT
from runtime.threads import torch_threads

# 1e-4 ... 10 on a 1-2-3-5 ladder: evenly spaced on a log scale, round numbers to read aloud
LR_OPTIONS = log_ladder(-4, 1, (1, 2, 3, 5))
BATCH_OPTIONS = [1, 2, 4, 8, 10, 16, 32, 64, 128, 256]
REDRAW_SECONDS = 0.3  # at most about three redraws a second: the browser keeps up
TABS = ["Regression", "Curve fitting", "2-D classification", "Digits: softmax", "RNN", "CNN"]
# The shareable setup: the open tab and its settings, e.g. ?tab=RNN&rnn_kind=LSTM&rnn_lr=0.003
TAB = Param("tab", TABS[0], options=tuple(TABS))


@st.cache_data
def _toy(name: str, n: int, noise: float, seed: int):
    s = datasets.toy_split(name, n, noise, seed)
    return s.x_train.numpy(), s.y_train.numpy(), s.x_test.numpy(), s.y_test.numpy()


@st.cache_data
def _curve(n: int, noise: float, seed: int):
    s = datasets.curve_points(n, noise, seed)
    return s.x_train.numpy(), s.y_train.numpy(), s.x_test.numpy(), s.y_test.numpy()


@st.cache_data
def _digits(seed: int):
    s = datasets.digits(seed)
    return s.x_test.numpy(), s.y_test.numpy()


def settings(prefix: str, default, max_epochs: int, extra: tuple[Param, ...] = ()) -> list[Param]:
    """Seed a tab's widgets from the link (once per visit): the common settings and its own."""
    params = [
        Param(f"{prefix}_lr", nearest_rung(LR_OPTIONS, default.lr), LR_OPTIONS[0], LR_OPTIONS[-1]),
        Param(f"{prefix}_epochs", default.epochs, 1, max_epochs),
        Param(f"{prefix}_batch", default.batch_size, options=tuple(BATCH_OPTIONS)),
        Param(f"{prefix}_opt", default.optimizer, options=tuple(OPTIMIZERS)),
        Param(f"{prefix}_seed", default.seed, 0, 9999),
        *extra,
    ]
    ui.load_settings(params)
    # a link's learning rate lands on the nearest rung of the slider's log ladder
    st.session_state[f"{prefix}_lr"] = nearest_rung(LR_OPTIONS, st.session_state[f"{prefix}_lr"])
    return params


def publish(params: list[Param]) -> None:
    """The open tab and its settings into the address bar (a shareable link)."""
    ui.publish_settings([TAB, *params])


def common_controls(prefix: str, max_epochs: int) -> dict:
    """Learning rate (log slider), epochs, batch size, optimiser and seed."""
    c = st.columns([3, 2, 2, 2, 1])
    return dict(
        lr=c[0].select_slider(
            "Learning rate (log scale)",
            LR_OPTIONS,
            key=f"{prefix}_lr",
            help="Applied at once, even mid-run. Too large and the loss blows up.",
        ),
        epochs=c[1].slider("Epochs", 1, max_epochs, key=f"{prefix}_epochs"),
        batch_size=c[2].select_slider("Batch size", BATCH_OPTIONS, key=f"{prefix}_batch"),
        optimizer=c[3].selectbox("Optimiser", OPTIMIZERS, key=f"{prefix}_opt"),
        seed=int(c[4].number_input("Seed", 0, 9999, key=f"{prefix}_seed")),
    )


def _current_run(name: str, cfg) -> Run:
    """This visitor's run of example `name`, fresh when a setting other than the lr changed."""
    key = f"live_training_{name}"
    run = st.session_state.get(key)
    if run is None or not run.adopt(cfg):
        run = make_run(cfg)
        st.session_state[key] = run
    return run


def _status_line(run: Run) -> str:
    if run.last is None:
        return "Ready: press **Start**."
    ev = run.last
    where = f"epoch {min(ev.epoch + 1, ev.epochs)} / {ev.epochs}, step {ev.step}"
    if run.status is Status.FINISHED:
        return f"Finished: {where}."
    return f"{run.status.capitalize()}: {where}, phase **{ev.phase}**."


def trainer(
    name: str,
    cfg,
    draw: Callable[[Run, dict], None],
    slots: list[str],
    pace_seconds: float = 0.0,
) -> None:
    """Buttons, progress, the scaffold with its phase, and the live loop for one example."""
    run = _current_run(name, cfg)
    b = st.container(horizontal=True, vertical_alignment="center")
    start = b.button(
        "Resume" if run.status is Status.PAUSED else "Start",
        key=f"{name}_start",
        type="primary",
        icon=":material/play_arrow:",
    )
    pause = b.button("Pause", key=f"{name}_pause", icon=":material/pause:")
    reset = b.button("Reset", key=f"{name}_reset", icon=":material/restart_alt:")
    one = b.button(
        "One phase",
        key=f"{name}_phase",
        icon=":material/skip_next:",
        help="Advance the loop by one phase: zero_grad, forward, loss, backward, step.",
    )
    slow = b.toggle(
        "Slow motion",
        value=pace_seconds > 0,
        key=f"{name}_slow",
        help="Stretch a quick run over a few seconds so a class can follow it.",
        disabled=pace_seconds <= 0,
    )
    if reset:
        run.reset()
    if start:
        run.start()
    if pause:
        run.pause()
    if one:
        with torch_threads(1):
            run.one_phase()

    progress = st.empty()
    status = st.empty()
    boxes = {"metrics": st.empty()} if "metrics" in slots else {}  # full width: room for numbers
    left, right = st.columns([3, 2], gap="large")
    with left:
        boxes.update({s: st.empty() for s in slots if s != "metrics"})
    with right:
        st.markdown("**The training loop** (the line running now is marked)")
        code_box = st.empty()
        words = st.empty()

    def refresh() -> None:
        progress.progress(run.fraction, text=_status_line(run))
        if run.status is Status.DIVERGED:
            status.warning(run.message, icon=":material/warning:")
        else:
            status.empty()
        phase = run.last.phase if run.last else None
        code_box.code(scaffold_at(phase), language="python")
        words.caption(PHASE_WORDS.get(phase, "") if phase else "")
        draw(run, boxes)

    refresh()
    if run.status is not Status.RUNNING:
        return
    total_steps = max(1, cfg.epochs * run.task.n_batches)
    delay = pace_seconds / total_steps if slow else 0.0
    last = time.monotonic()
    with torch_threads(1):
        for ev in run:
            if delay and ev.phase == "step":
                time.sleep(delay)
            if time.monotonic() - last >= REDRAW_SECONDS:
                refresh()
                last = time.monotonic()
    refresh()


def _metric_row(box, items: list[tuple[str, str]]) -> None:
    with box.container():
        cols = st.columns(len(items))
        for col, (label, value) in zip(cols, items, strict=True):
            col.metric(label, value)


def _fmt(log: list[dict], key: str, spec: str = ".4f") -> str:
    return format(log[-1][key], spec) if log and key in log[-1] else "–"


# ------------------------------------------------------------------------------ tabs
@st.fragment
def regression_tab() -> None:
    d = RegressionConfig()
    st.latex(r"y = Xw + b + \epsilon,\quad w = [2, -3.4],\ b = 4.2,\ \epsilon \sim N(0, 0.01^2)")
    ui.explain(
        "A thousand noisy samples of a plane; `nn.Linear(2, 1)` starts near zero and mini-batch "
        "SGD walks its weight and bias to the true values."
    )
    params = settings("reg", d, 20)
    cfg = RegressionConfig(**common_controls("reg", 20))
    publish(params)
    truth = {"w1": datasets.TRUE_W[0], "w2": datasets.TRUE_W[1], "b": datasets.TRUE_B}

    def draw(run: Run, box: dict) -> None:
        log = run.epoch_log
        _metric_row(
            box["metrics"],
            [
                ("|w − w*|", _fmt(log, "w error")),
                ("|b − b*|", _fmt(log, "b error")),
                ("loss", _fmt(log, "train loss", ".2e")),
            ],  # fmt: skip
        )
        start = run.snapshot if not run.tracked else run.tracked[0]
        box["params"].altair_chart(
            charts.parameter_chart(run.tracked, truth, start), width="stretch"
        )
        if run.steps:
            box["loss"].altair_chart(charts.step_loss_chart(run.steps), width="stretch")

    trainer("regression", cfg, draw, ["metrics", "params", "loss"], pace_seconds=6.0)
    ui.show_code(EXAMPLES["regression"].code)


@st.fragment
def curve_tab() -> None:
    d = CurveConfig()
    ui.explain(
        "A straight line cannot follow this data. An MLP (layers of `nn.Linear` with a "
        "non-linearity between them) can: watch its curve bend towards the points."
    )
    widths = [4, 8, 16, 32, 64]
    params = settings(
        "curve",
        d,
        1000,
        (
            Param("curve_depth", d.depth, 1, 4),
            Param("curve_width", d.width, options=tuple(widths)),
            Param("curve_act", d.activation, options=tuple(ACTIVATIONS)),
            Param("curve_noise", d.noise, 0.0, 0.5),
        ),
    )
    cfg = dict(common_controls("curve", 1000))
    c = st.columns(4)
    cfg["depth"] = c[0].slider("Hidden layers", 1, 4, key="curve_depth")
    cfg["width"] = c[1].select_slider("Width", widths, key="curve_width")
    cfg["activation"] = c[2].selectbox("Activation", list(ACTIVATIONS), key="curve_act")
    cfg["noise"] = c[3].slider("Noise", 0.0, 0.5, step=0.05, key="curve_noise")
    cfg = CurveConfig(**cfg)
    publish(params)
    data = _curve(cfg.n, cfg.noise, cfg.seed)
    truth = datasets.wavy_curve(np.linspace(-3.2, 3.2, 161, dtype=np.float32))

    def draw(run: Run, box: dict) -> None:
        log = run.epoch_log
        _metric_row(
            box["metrics"],
            [("train MSE", _fmt(log, "train loss")), ("test MSE", _fmt(log, "test loss"))],
        )
        box["fit"].altair_chart(charts.curve_chart(*data, run.snapshot, truth), width="stretch")
        if log:
            box["loss"].altair_chart(
                charts.history_chart(log, "loss", "Mean squared error", run.epochs),
                width="stretch",
            )

    trainer("curve", cfg, draw, ["metrics", "fit", "loss"])
    ui.show_code(EXAMPLES["curve"].code)


@st.fragment
def toy_tab() -> None:
    d = ToyConfig()
    ui.explain(
        "Pick a data set and a network; the background shows which class the network predicts "
        "everywhere in the plane, redrawn while it trains (circles: training points, "
        "triangles: test points)."
    )
    widths = [2, 4, 8, 16, 32, 64]
    params = settings(
        "toy",
        d,
        500,
        (
            Param("toy_data", d.dataset, options=tuple(datasets.TOY_SETS)),
            Param("toy_n", d.n, 100, 1000),
            Param("toy_noise", d.noise, 0.0, 0.5),
            Param("toy_depth", d.depth, 1, 5),
            Param("toy_width", d.width, options=tuple(widths)),
            Param("toy_act", d.activation, options=tuple(ACTIVATIONS)),
        ),
    )
    c = st.columns(6)
    extra = dict(
        dataset=c[0].selectbox("Data set", datasets.TOY_SETS, key="toy_data"),
        n=c[1].slider("Samples", 100, 1000, step=50, key="toy_n"),
        noise=c[2].slider("Noise", 0.0, 0.5, step=0.05, key="toy_noise"),
        depth=c[3].slider("Hidden layers", 1, 5, key="toy_depth"),
        width=c[4].select_slider("Width", widths, key="toy_width"),
        activation=c[5].selectbox("Activation", list(ACTIVATIONS), key="toy_act"),
    )
    cfg = ToyConfig(**common_controls("toy", 500), **extra)
    publish(params)
    xtr, ytr, xte, yte = _toy(cfg.dataset, cfg.n, cfg.noise, cfg.seed)
    x, y = np.concatenate([xtr, xte]), np.concatenate([ytr, yte])
    is_test = np.arange(len(x)) >= len(xtr)

    def draw(run: Run, box: dict) -> None:
        log = run.epoch_log
        _metric_row(
            box["metrics"],
            [
                ("train accuracy", _fmt(log, "train accuracy", ".1%")),
                ("test accuracy", _fmt(log, "test accuracy", ".1%")),
                ("test loss", _fmt(log, "test loss")),
            ],  # fmt: skip
        )
        box["boundary"].altair_chart(charts.boundary_chart(run.snapshot, x, y, is_test))
        if log:
            with box["history"].container():
                h = st.columns(2)
                h[0].altair_chart(
                    charts.history_chart(log, "loss", "Cross-entropy loss", run.epochs),
                    width="stretch",
                )
                h[1].altair_chart(
                    charts.history_chart(log, "accuracy", "Accuracy", run.epochs),
                    width="stretch",
                )

    trainer("toy", cfg, draw, ["metrics", "boundary", "history"])
    ui.show_code(EXAMPLES["toy"].code)


@st.fragment
def softmax_tab() -> None:
    d = SoftmaxConfig()
    st.latex(r"\hat y = \operatorname{softmax}(W x + b),\quad W \in \mathbb{R}^{10 \times 64}")
    ui.explain(
        "The notebook trains softmax regression on Fashion-MNIST, which cannot be downloaded "
        "here; scikit-learn ships 1,797 handwritten digits of 8 × 8 pixels instead. Each row "
        "of W is an 8 × 8 template: orange pixels vote for the digit, blue ones against."
    )
    params = settings("softmax", d, 100)
    cfg = SoftmaxConfig(**common_controls("softmax", 100))
    publish(params)

    def draw(run: Run, box: dict) -> None:
        log = run.epoch_log
        _metric_row(
            box["metrics"],
            [
                ("train accuracy", _fmt(log, "train accuracy", ".1%")),
                ("test accuracy", _fmt(log, "test accuracy", ".1%")),
            ],  # fmt: skip
        )
        box["templates"].altair_chart(
            charts.image_grid(
                run.snapshot["templates"],
                [f"digit {k}" for k in range(10)],
                "The ten learned weight templates (rows of W)",
                diverging=True,
                cell=14,
            )
        )
        if log:
            with box["history"].container():
                h = st.columns(2)
                h[0].altair_chart(
                    charts.history_chart(log, "loss", "Cross-entropy loss", run.epochs),
                    width="stretch",
                )
                h[1].altair_chart(
                    charts.history_chart(log, "accuracy", "Accuracy", run.epochs),
                    width="stretch",
                )

    trainer("softmax", cfg, draw, ["metrics", "templates", "history"], pace_seconds=4.0)
    ui.show_code(EXAMPLES["softmax"].code)


@st.fragment
def rnn_tab() -> None:
    d = RNNConfig()
    ui.explain(
        "The network reads sin(t) one sample at a time and must output cos(t). One value of "
        "sin does not say whether the curve goes up or down: the hidden state must remember. "
        "Training feeds windows of 10 time steps, carrying the hidden state from one window "
        "to the next and detaching it, so gradients stop at the window's edge."
    )
    params = settings("rnn", d, 100, (Param("rnn_kind", d.kind, options=tuple(RECURRENT)),))
    kind = st.segmented_control("Cell", list(RECURRENT), required=True, key="rnn_kind")
    cfg = RNNConfig(kind=kind or d.kind, **common_controls("rnn", 100))
    publish(params)

    def draw(run: Run, box: dict) -> None:
        log = run.epoch_log
        _metric_row(
            box["metrics"],
            [
                ("test MSE (after a 10-step warm-up)", _fmt(log, "test MSE")),
                ("MSE in the first window", _fmt(log, "first-window MSE")),
            ],  # fmt: skip
        )
        box["sequence"].altair_chart(charts.sequence_chart(run.snapshot), width="stretch")
        if run.steps:
            box["loss"].altair_chart(
                charts.step_loss_chart(run.steps, "MSE per window"), width="stretch"
            )

    trainer("rnn", cfg, draw, ["metrics", "sequence", "loss"])
    ui.show_code(EXAMPLES["rnn"].code)


@st.fragment
def cnn_tab() -> None:
    d = CNNConfig()
    ui.explain(
        "Two 3 × 3 convolution layers with max-pooling read the 8 × 8 digits. Below: the "
        "test digits with the network's guesses, the confusion matrix, the sixteen filters of "
        "the first layer and what they make of one digit."
    )
    params = settings("cnn", d, 60, (Param("cnn_digit", 0, 0, 19),))
    cfg = CNNConfig(**common_controls("cnn", 60))
    x_test, y_test = _digits(cfg.seed)

    def draw(run: Run, box: dict) -> None:
        log = run.epoch_log
        snap = run.snapshot
        _metric_row(
            box["metrics"],
            [
                ("train accuracy", _fmt(log, "train accuracy", ".1%")),
                ("test accuracy", _fmt(log, "test accuracy", ".1%")),
                ("test loss", _fmt(log, "test loss")),
            ],  # fmt: skip
        )
        if log:
            with box["history"].container():
                h = st.columns(2)
                h[0].altair_chart(
                    charts.history_chart(log, "loss", "Cross-entropy loss", run.epochs),
                    width="stretch",
                )
                h[1].altair_chart(
                    charts.history_chart(log, "accuracy", "Accuracy", run.epochs),
                    width="stretch",
                )
        with box["digits"].container():
            g = st.columns([3, 2])
            pred = snap["predicted"][:20]
            titles = [
                f"{p} {'✓' if p == t else '✗'}" for p, t in zip(pred, y_test[:20], strict=True)
            ]
            g[0].altair_chart(
                charts.image_grid(
                    x_test[:20, 0], titles, "Test digits: the network's guess (✓ right, ✗ wrong)"
                )
            )
            g[1].altair_chart(charts.confusion_chart(snap["confusion"]))
        with box["filters"].container():
            f = st.columns([2, 3])
            f[0].altair_chart(
                charts.image_grid(
                    snap["filters"],
                    [f"filter {k}" for k in range(len(snap["filters"]))],
                    "First-layer filters (3 × 3)",
                    columns=4,
                    diverging=True,
                    cell=16,
                )
            )
            idx = int(st.session_state.get("cnn_digit", 0))
            maps = feature_maps(snap, torch.from_numpy(x_test[idx]))
            f[1].altair_chart(
                charts.image_grid(
                    maps,
                    [f"map {k}" for k in range(len(maps))],
                    f"Feature maps of test digit #{idx} (true label {y_test[idx]})",
                    columns=8,
                    cell=7,
                )
            )

    st.slider("Test digit for the feature maps", 0, 19, key="cnn_digit")
    publish(params)
    trainer("cnn", cfg, draw, ["metrics", "history", "digits", "filters"])
    ui.show_code(EXAMPLES["cnn"].code)


st.title("Live training")
ui.explain(
    "The lecture's four examples, trained live with the same loop: **zero_grad → forward → "
    "loss → backward → step**. Press *Start*, move the learning rate while it runs, *Pause* "
    "and *Resume*; *Reset* with the same seed replays exactly the same curves. "
    "Each visitor trains their own models."
)
# Lazy tabs: only the open tab runs, so the page stays quick with six examples on it.
ui.load_settings([TAB])
tabs = st.tabs(TABS, key="tab", on_change="rerun")
for tab, body in zip(
    tabs, [regression_tab, curve_tab, toy_tab, softmax_tab, rnn_tab, cnn_tab], strict=True
):
    if tab.open:
        with tab:
            body()
