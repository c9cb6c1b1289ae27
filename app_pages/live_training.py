"""Live training: the lecture's regression, classification, RNN and CNN learning while you watch.

Each tab is one example's own widgets and charts; the trainer (app_pages/trainer.py) draws
the common settings, the buttons and the training-loop scaffold, and runs the example.
"""

import numpy as np
import streamlit as st
import torch

from app_pages import predict, ui
from app_pages.i18n import _, translator
from app_pages.trainer import controls, loss_and_accuracy, metric_row, shows_epoch, trainer
from core.charts import training as charts
from core.i18n import N_
from core.shareable import Param
from core.training import (
    EXAMPLES,
    CNNConfig,
    CurveConfig,
    RegressionConfig,
    RNNConfig,
    SoftmaxConfig,
    ToyConfig,
    curve,
    datasets,
)
from core.training.cnn import feature_maps
from core.training.loop import Run
from core.training.models import ACTIVATIONS, RECURRENT

TABS = [
    N_("Regression"),
    N_("Curve fitting"),
    N_("2-D classification"),
    N_("Digits: softmax"),
    N_("RNN"),
    N_("CNN"),
]
# The shareable setup: the open tab and its settings, e.g. ?tab=RNN&rnn_kind=LSTM&rnn_lr=0.003
TAB = Param("tab", TABS[0], options=tuple(TABS))
# A chart drawn at its own size (a canvas) shrinks as a whole, keeping its aspect, where its
# column is narrower than it; wider charts already take their column's width.
_SHRINK_TO_FIT = (
    '[data-testid="stVegaLiteChart"] canvas '
    "{ max-width: 100% !important; height: auto !important; }"
)
# (label, epoch-log key, format) of the metrics the classifiers show
# (the labels in English, shown translated by metric_row)
ACCURACY = [
    (N_("train accuracy"), "train accuracy", ".1%"),
    (N_("test accuracy"), "test accuracy", ".1%"),
]
TEST_LOSS = (N_("test loss"), "test loss", ".4f")
# the toy data sets' names as shown (the values, in links, stay English)
TOY_NAMES = {
    "moons": N_("moons"),
    "circles": N_("circles"),
    "spiral": N_("spiral"),
    "xor": N_("xor"),
    "blobs": N_("blobs"),
}


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


def publish(params: list[Param]) -> None:
    """The open tab and its settings into the address bar (a shareable link)."""
    ui.publish_settings([TAB, *params])


# ------------------------------------------------------------------------------ tabs
@st.fragment
def regression_tab() -> None:
    d = RegressionConfig()
    ui.explain(
        _(
            "A thousand noisy samples of a plane; `nn.Linear(2, 1)` starts near zero and "
            "mini-batch SGD walks its weight and bias to the true values."
        )
    )
    params, common = controls("reg", d, 20)
    cfg = RegressionConfig(**common)
    publish(params)
    truth = {"w1": datasets.TRUE_W[0], "w2": datasets.TRUE_W[1], "b": datasets.TRUE_B}

    def draw(run: Run, box: dict) -> None:
        metric_row(
            box["metrics"],
            run.epoch_log,
            [("|w − w*|", "w error", ".4f"), ("|b − b*|", "b error", ".4f"),
             (N_("loss"), "train loss", ".2e")],
        )  # fmt: skip
        start = run.snapshot if not run.tracked else run.tracked[0]
        ui.live_chart(
            box["params"],
            charts.parameter_chart(run.tracked, truth, start, gettext=translator()),
            width="stretch",
        )
        if run.steps:
            ui.live_chart(
                box["loss"],
                charts.step_loss_chart(run.steps, gettext=translator()),
                width="stretch",
            )

    if predict.ask("live_training.bigger_batch", "live_training.big_lr"):
        trainer("regression", cfg, draw, ["metrics", "params", "loss"], pace_seconds=6.0)
    st.latex(r"y = Xw + b + \epsilon,\quad w = [2, -3.4],\ b = 4.2,\ \epsilon \sim N(0, 0.01^2)")
    ui.show_code(EXAMPLES["regression"].code, _("Show the code"))


@st.fragment
def curve_tab() -> None:
    d = CurveConfig()
    ui.explain(
        _(
            "A straight line cannot follow this data. An MLP (layers of `nn.Linear` with a "
            "non-linearity between them) can: watch its curve bend towards the points."
        )
    )
    widths = [4, 8, 16, 32, 64]
    params, cfg = controls(
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
    c = st.columns(4)
    cfg["depth"] = c[0].slider(_("Hidden layers"), 1, 4, key="curve_depth")
    cfg["width"] = c[1].select_slider(_("Width"), widths, key="curve_width")
    cfg["activation"] = c[2].selectbox(_("Activation"), list(ACTIVATIONS), key="curve_act")
    cfg["noise"] = c[3].slider(_("Noise"), 0.0, 0.5, step=0.05, key="curve_noise")
    cfg = CurveConfig(**cfg)
    publish(params)
    data = _curve(cfg.n, cfg.noise, cfg.seed)
    truth = datasets.wavy_curve(curve.GRID)

    def draw(run: Run, box: dict) -> None:
        log = run.epoch_log
        mse = [(N_("train MSE"), "train loss", ".4f"), (N_("test MSE"), "test loss", ".4f")]
        metric_row(box["metrics"], log, mse)
        if not shows_epoch(box["fit"], log):
            ui.live_chart(
                box["fit"],
                charts.curve_chart(*data, run.snapshot, truth, gettext=translator()),
                width="stretch",
            )
        if log and not shows_epoch(box["loss"], log):
            ui.live_chart(
                box["loss"],
                charts.history_chart(
                    log, "loss", _("Mean squared error"), run.epochs, gettext=translator()
                ),
                width="stretch",
            )

    trainer("curve", cfg, draw, ["metrics", "fit", "loss"])
    ui.show_code(EXAMPLES["curve"].code, _("Show the code"))


@st.fragment
def toy_tab() -> None:
    d = ToyConfig()
    ui.explain(
        _(
            "Pick a data set and a network; the background shows which class the network "
            "predicts everywhere in the plane, redrawn while it trains (circles: training points, "
            "triangles: test points)."
        )
    )
    widths = [2, 4, 8, 16, 32, 64]
    params, common = controls(
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
        dataset=c[0].selectbox(
            _("Data set"),
            datasets.TOY_SETS,
            # a plain lookup made now (AppTest calls format_func outside the script run)
            format_func={k: _(TOY_NAMES.get(k, k)) for k in datasets.TOY_SETS}.get,
            key="toy_data",
        ),
        n=c[1].slider(_("Samples"), 100, 1000, step=50, key="toy_n"),
        noise=c[2].slider(_("Noise"), 0.0, 0.5, step=0.05, key="toy_noise"),
        depth=c[3].slider(_("Hidden layers"), 1, 5, key="toy_depth"),
        width=c[4].select_slider(_("Width"), widths, key="toy_width"),
        activation=c[5].selectbox(_("Activation"), list(ACTIVATIONS), key="toy_act"),
    )
    cfg = ToyConfig(**common, **extra)
    publish(params)
    xtr, ytr, xte, yte = _toy(cfg.dataset, cfg.n, cfg.noise, cfg.seed)
    x, y = np.concatenate([xtr, xte]), np.concatenate([ytr, yte])
    is_test = np.arange(len(x)) >= len(xtr)

    def draw(run: Run, box: dict) -> None:
        metric_row(box["metrics"], run.epoch_log, [*ACCURACY, TEST_LOSS])
        if not shows_epoch(box["boundary"], run.epoch_log):
            ui.live_chart(
                box["boundary"],
                charts.boundary_chart(run.snapshot, x, y, is_test, gettext=translator()),
                width="content",
            )
        loss_and_accuracy(box["history"], run)

    # the map keeps its square: drawn at its own size, shrunk as a whole on a narrow screen
    # (800 x 600, a phone) rather than squeezed into a strip
    st.html(f"<style>{_SHRINK_TO_FIT}</style>")
    trainer("toy", cfg, draw, ["metrics", "boundary", "history"])
    ui.show_code(EXAMPLES["toy"].code, _("Show the code"))


@st.fragment
def softmax_tab() -> None:
    d = SoftmaxConfig()
    ui.explain(
        _(
            "The notebook trains softmax regression on Fashion-MNIST, which cannot be downloaded "
            "here; scikit-learn ships 1,797 handwritten digits of 8 × 8 pixels instead. Each "
            "row of W is an 8 × 8 template: orange pixels vote for the digit, blue ones against."
        )
    )
    params, common = controls("softmax", d, 100)
    cfg = SoftmaxConfig(**common)
    publish(params)

    def draw(run: Run, box: dict) -> None:
        metric_row(box["metrics"], run.epoch_log, ACCURACY)
        if not shows_epoch(box["templates"], run.epoch_log):
            box["templates"].html(
                charts.image_grid_html(
                    run.snapshot["templates"],
                    [_("digit {k}").format(k=k) for k in range(10)],
                    _("The ten learned weight templates (rows of W)"),
                    diverging=True,
                )
            )
        loss_and_accuracy(box["history"], run)

    trainer("softmax", cfg, draw, ["metrics", ("templates", "history")], pace_seconds=4.0)
    st.latex(r"\hat y = \operatorname{softmax}(W x + b),\quad W \in \mathbb{R}^{10 \times 64}")
    ui.show_code(EXAMPLES["softmax"].code, _("Show the code"))


@st.fragment
def rnn_tab() -> None:
    d = RNNConfig()
    ui.explain(
        _(
            "The network reads sin(t) one sample at a time and must output cos(t). One value of "
            "sin does not say whether the curve goes up or down: the hidden state must remember. "
            "Training feeds windows of 10 time steps, carrying the hidden state from one window "
            "to the next and detaching it, so gradients stop at the window's edge."
        )
    )
    kinds = (Param("rnn_kind", d.kind, options=tuple(RECURRENT)),)
    params, common = controls("rnn", d, 100, kinds)
    kind = st.segmented_control(_("Cell"), list(RECURRENT), required=True, key="rnn_kind")
    cfg = RNNConfig(kind=kind or d.kind, **common)
    publish(params)

    def draw(run: Run, box: dict) -> None:
        metric_row(
            box["metrics"],
            run.epoch_log,
            [(N_("test MSE (after a 10-step warm-up)"), "test MSE", ".4f"),
             (N_("MSE in the first window"), "first-window MSE", ".4f")],
        )  # fmt: skip
        if not shows_epoch(box["sequence"], run.epoch_log):
            ui.live_chart(
                box["sequence"],
                charts.sequence_chart(run.snapshot, gettext=translator()),
                width="stretch",
            )
        if run.steps:
            ui.live_chart(
                box["loss"],
                charts.step_loss_chart(run.steps, N_("MSE per window"), gettext=translator()),
                width="stretch",
            )

    trainer("rnn", cfg, draw, ["metrics", "sequence", "loss"])
    ui.show_code(EXAMPLES["rnn"].code, _("Show the code"))


@st.fragment
def cnn_tab() -> None:
    d = CNNConfig()
    ui.explain(
        _(
            "The notebook's CNN reads MNIST, which cannot be downloaded here; scikit-learn's "
            "1,797 handwritten digits of 8 × 8 pixels stand in for it. Two 3 × 3 convolution "
            "layers with max-pooling read them. Below: the test digits with the network's "
            "guesses, the confusion matrix, the sixteen filters of the first layer and what "
            "they make of one digit."
        )
    )
    params, common = controls("cnn", d, 60, (Param("cnn_digit", 0, 0, 19),))
    cfg = CNNConfig(**common)
    x_test, y_test = _digits(cfg.seed)

    def draw(run: Run, box: dict) -> None:
        snap = run.snapshot
        metric_row(box["metrics"], run.epoch_log, [*ACCURACY, TEST_LOSS])
        loss_and_accuracy(box["history"], run)
        if shows_epoch(box["digits"], run.epoch_log):
            return  # the digits and the filters change with the snapshot, once an epoch
        pred = snap["predicted"][:20]
        titles = [f"{p} {'✓' if p == t else '✗'}" for p, t in zip(pred, y_test[:20], strict=True)]
        # small multiples as tiles that wrap to the column's width: nothing spills or overlaps
        box["digits"].html(
            charts.image_grid_html(
                x_test[:20, 0], titles, _("Test digits: the network's guess (✓ right, ✗ wrong)")
            )
        )
        ui.live_chart(
            box["confusion"],
            charts.confusion_chart(snap["confusion"], gettext=translator()),
            width="stretch",
        )
        with box["filters"].container():
            st.html(
                charts.image_grid_html(
                    snap["filters"],
                    [_("filter {k}").format(k=k) for k in range(len(snap["filters"]))],
                    _("First-layer filters (3 × 3)"),
                    diverging=True,
                    size_rem=3.0,
                )
            )
            idx = int(st.session_state.get("cnn_digit", 0))
            maps = feature_maps(snap, torch.from_numpy(x_test[idx]))
            st.html(
                charts.image_grid_html(
                    maps,
                    [_("map {k}").format(k=k) for k in range(len(maps))],
                    _("Feature maps of test digit #{index} (true label {label})").format(
                        index=idx, label=y_test[idx]
                    ),
                    size_rem=3.0,
                )
            )

    publish(params)
    # the test digits and their guesses first: the picture the tab is for
    trainer("cnn", cfg, draw, ["metrics", ("digits", "confusion"), "history", "filters"])
    st.slider(_("Test digit for the feature maps"), 0, 19, key="cnn_digit")
    ui.show_code(EXAMPLES["cnn"].code, _("Show the code"))


st.title(_("Live training"))
ui.explain(
    _(
        "Six examples from the lecture and its notebooks, trained live with the same loop: "
        "**`zero_grad` → `forward` → `loss` → `backward` → `step`**. Press *Start*, move the learning "
        "rate while it runs, *Pause* and *Resume*; *Reset* with the same seed replays exactly "
        "the same curves. Each visitor trains their own models."
    )
)
ui.lazy_tabs(TAB, [regression_tab, curve_tab, toy_tab, softmax_tab, rnn_tab, cnn_tab])
