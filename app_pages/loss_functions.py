"""Loss functions: the slide's torch.nn losses, their curves, gradients and consequences."""

import numpy as np
import pandas as pd
import streamlit as st

from app_pages import i18n, predict, ui
from app_pages.i18n import _
from core import losses as lf
from core.charts import losses as charts
from core.i18n import N_
from core.shareable import Param

Z_DEFAULTS = [2.0, 1.0, -1.0, 0.5, -2.0]
# The shareable setup: URL names are the widget keys, e.g. ?reg=MSE,Huber&delta=0.5&oy=-3
PARAMS = [
    Param("reg", list(lf.REGRESSION), options=tuple(lf.REGRESSION), multi=True),
    Param("cls", list(lf.CLASSIFICATION), options=tuple(lf.CLASSIFICATION), multi=True),
    Param("delta", 1.5, 0.1, 3.0),  # not 1: there Huber and SmoothL1 are one curve
    Param("k", 3, 3, 5),
    Param("target", 0, 0, 4),
    Param("ox", 0.8, 0.0, 1.0),
    Param("oy", 10.0, -5.0, 15.0),
]
LOGITS = [Param(f"z{i}", z, -5.0, 5.0) for i, z in enumerate(Z_DEFAULTS)]
# One slide each: a tab is at most about two projected screens.
TABS = [N_("Regression"), N_("Classification"), N_("Softmax & cross-entropy"), N_("One outlier")]
TAB = Param("loss_tab", TABS[0], options=tuple(TABS))
ONE_CURVE = ("SoftMargin", "BCE", "BCEWithLogits", "CrossEntropy")


@st.cache_data(max_entries=64, show_spinner=False)
def _curves(names: tuple[str, ...], delta: float) -> pd.DataFrame:
    return lf.loss_curves(names, delta=delta)


@st.cache_data(max_entries=128, show_spinner=False)
def _fits(outlier_x: float, outlier_y: float, delta: float):
    x, y = lf.outlier_data(outlier_y, outlier_x)
    fits = lf.fit_lines(x, y, ("MSE", "L1", "Huber"), delta)
    return x.numpy(), y.numpy(), fits


def _curves_and_formulas(
    names: list[str],
    delta: float,
    x_title: str,
    title: str,
    reference: bool = False,
    note: str | None = None,
) -> None:
    """The losses' curves beside their gradients (autograd), a note on curves that coincide,
    then each loss's formula."""
    data = _curves(tuple(names), delta)
    left, right = st.columns(2)
    inputs = (tuple(names), delta, x_title)
    gettext = i18n.translator()
    ui.chart(
        ("lf loss", *inputs, title, reference),
        lambda: charts.curves_chart(data, "loss", x_title, title, reference, gettext=gettext),
        left,
        width="stretch",
    )
    gradient_title = _("Its gradient (autograd)")
    ui.chart(
        ("lf gradient", *inputs),
        lambda: charts.curves_chart(data, "gradient", x_title, gradient_title, gettext=gettext),
        right,
        width="stretch",
    )
    if note:
        st.info(note, icon=":material/layers:")
    for name in names:
        st.latex(lf.LATEX[name])


def _on_outlier_pick() -> None:
    event = st.session_state.get("lf_outlier_map") or {}
    points = (event.get("selection") or {}).get(charts.OUTLIER_PICK) or []
    if points:
        st.session_state.ox = float(np.clip(round(points[0]["x"], 2), 0.0, 1.0))
        st.session_state.oy = float(np.clip(round(points[0]["y"], 1), -5.0, 15.0))


def _settings() -> None:
    """The link's settings, whichever tab is open (every tab writes them all back)."""
    ui.publish_settings([TAB, *PARAMS, *LOGITS[: int(st.session_state.k)]])


def regression_tab() -> None:
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    reg = c1.multiselect(_("Regression losses"), lf.REGRESSION, key="reg")
    delta = c2.slider(_("Huber δ / SmoothL1 β"), 0.1, 3.0, step=0.1, key="delta")
    _settings()
    if not reg:
        st.info(_("Pick a regression loss to draw it."))
        return
    note = None
    if {"Huber", "SmoothL1"} <= set(reg):
        coincide = _(
            "**Huber and SmoothL1 coincide at δ = β = 1**: `nn.HuberLoss(delta=δ)` is exactly "
            "δ × `nn.SmoothL1Loss(beta=δ)`."
        )
        if abs(delta - 1.0) < 1e-9:
            here = _("Here δ = 1, so the dashed SmoothL1 lies on Huber: move δ to part them.")
        else:
            here = _("Here δ = {delta}: Huber is {delta} × SmoothL1.").format(delta=f"{delta:g}")
        note = _("{first} {second}").format(first=coincide, second=here)
    _curves_and_formulas(reg, delta, _("residual r"), _("Loss against the residual r"), note=note)
    ui.explain(
        _(
            "MSE's gradient grows with the residual, so a far-off point pulls hard; L1's is ±1 "
            "whatever the distance; Huber is MSE near zero and L1 beyond δ."
        )
    )
    if "MSE" in reg:
        st.warning(
            _(
                "**The slide writes MSE with a ½**, ½ (ŷ − y)², which makes the gradient just the "
                "residual. `nn.MSELoss` has no ½ and takes the **mean** over all elements: "
                "mean((ŷ − y)²), gradient 2r / N. Same minimum, twice the slope per sample."
            ),
            icon=":material/edit_note:",
        )
    ui.show_code(lf.CODE_LOSSES, _("Show the code: losses and their gradients"))


def classification_tab() -> None:
    cls = st.multiselect(_("Classification losses"), lf.CLASSIFICATION, key="cls")
    _settings()
    if not cls:
        st.info(_("Pick a classification loss to draw it."))
        return
    same = [n for n in ONE_CURVE if n in cls]
    note = None
    if len(same) > 1:
        note = _(
            "**{names}: one curve**, log(1 + e^(−m)), under {n} names (SoftMargin on f, BCE on "
            "σ(f), BCE-with-logits on f, cross-entropy on the logits (0, f)). The dashes let you "
            "see them lie on each other."
        ).format(names=", ".join(same), n=len(same))
    _curves_and_formulas(
        cls, float(st.session_state.delta), _("margin m = y·f(x)"), _("Loss against the margin m"),
        reference=True, note=note,
    )  # fmt: skip
    ui.explain(_("A positive margin means the right side of the boundary, with y ∈ {−1, +1}."))
    if "Hinge" in cls:
        st.markdown(
            _(
                "**The hinge is `nn.MultiMarginLoss` on two classes.** Give class 1 (y = +1) and "
                "class 0 (y = −1) the logits z = (0, f). MultiMarginLoss sums over the wrong "
                "classes and divides by the number of classes C = 2:"
            )
        )
        st.latex(
            r"\texttt{MultiMarginLoss}(z, c) = \frac{1}{C}\sum_{i \ne c} \max(0,\ 1 - z_c + z_i)"
            r" = \tfrac12 \max(0,\ 1 - y f),"
        )
        st.caption(
            _(
                "since z_c − z_other = f when y = +1 and −f when y = −1. So the hinge "
                "max(0, 1 − y f) is 2 × MultiMarginLoss; not nn.HingeEmbeddingLoss, which is a "
                "different loss for distances."
            )
        )
        ui.show_code(lf.CODE_HINGE, _("Show the code: hinge via MultiMarginLoss"))
    st.caption(
        _(
            "The slide also lists `nn.MultiLabelMarginLoss`, the multi-label cousin of "
            "MultiMarginLoss (not drawn here): a sample may have several right classes, and the "
            "hinge max(0, 1 − (z_right − z_wrong)) is summed over every (right, wrong) pair, "
            "then divided by the number of classes."
        )
    )
    ui.show_code(lf.CODE_LOSSES, _("Show the code: losses and their gradients"))


def softmax_tab() -> None:
    controls, picture = ui.beside(1, 2.6)
    with controls:
        k = st.slider(_("Number of classes"), 3, 5, key="k")
        target = st.selectbox(_("True class y"), list(range(k)), key="target")
        logits = [
            st.slider(_("logit z{i}").format(i=i), -5.0, 5.0, step=0.1, key=f"z{i}")
            for i in range(k)
        ]
    _settings()
    res = lf.softmax_cross_entropy(logits, int(target))
    shown = (tuple(float(z) for z in logits), int(target))
    with picture:
        predicted = predict.ask("loss_functions.equal_logits")
    if predicted:
        left, right = picture.columns(2)
        gettext = i18n.translator()
        ui.chart(
            ("lf probs", *shown),
            lambda: charts.probability_chart(res, int(target), gettext=gettext),
            left,
            width="stretch",
        )
        ui.chart(
            ("lf logit grads", *shown),
            lambda: charts.logits_gradient_chart(res, int(target), gettext=gettext),
            right,
            width="stretch",
        )
    # the formulas under the slide, each on the page's whole width (never cut on the right)
    st.latex(lf.LATEX["CrossEntropy"])
    if predicted:  # the loss and p − onehot(y) spell out the answer too
        p_y = res["probs"][int(target)]
        st.latex(rf"\ell = -\log p_{{{int(target)}}} = -\log {p_y:.4f} = {res['loss']:.4f}")
        vec = r" \\ ".join(f"{g:.4f}" for g in res["grad"])
        st.latex(
            r"\frac{\partial \ell}{\partial z} = p - \mathrm{onehot}(y) = "
            r"\begin{pmatrix}" + vec + r"\end{pmatrix}"
        )
    gap = np.abs(res["grad"] - res["p_minus_onehot"]).max()
    st.caption(_("Autograd's gradient and p − onehot(y) agree to {gap}.").format(gap=f"{gap:.1e}"))
    st.warning(
        _(
            "**A correction to the slide.** Its cross-entropy line is the *binary* formula, and "
            "its sign has slipped. Binary cross-entropy (`nn.BCELoss`) for a target t ∈ {0, 1} "
            "and a probability p is  −[t log p + (1 − t) log(1 − p)]  (minus in front, so the "
            "loss is ≥ 0). The multi-class cross-entropy that `nn.CrossEntropyLoss` computes "
            "from logits z is the formula above."
        ),
        icon=":material/edit_note:",
    )
    st.latex(r"\ell_{\text{binary}} = -\big[t \log p + (1 - t)\log(1 - p)\big]")
    ui.show_code(lf.CODE_SOFTMAX, _("Show the code: cross-entropy and its gradient"))


def outlier_tab() -> None:
    controls, picture = ui.beside(1, 2.6)
    with controls:
        out_y = st.slider(_("Outlier position y"), -5.0, 15.0, step=0.1, key="oy")
        out_x = st.slider(_("Outlier position x"), 0.0, 1.0, step=0.01, key="ox")
        delta = st.slider("Huber δ", 0.1, 3.0, step=0.1, key="delta")
    _settings()
    x, y, fits = _fits(float(out_x), float(out_y), float(delta))
    with picture:
        fitted = predict.ask("loss_functions.outlier")
    if fitted:
        ui.chart(
            ("lf outlier", float(out_x), float(out_y), float(delta)),
            lambda: charts.outlier_chart(x, y, fits, gettext=i18n.translator()),
            picture,
            width="stretch",
            on_select=_on_outlier_pick,
            selection_mode=charts.OUTLIER_PICK,
            key="lf_outlier_map",
        )
    with controls:
        if not fitted:
            st.caption(_("The fitted slopes appear once you have predicted."))
            return
        rows = [
            {_("loss"): n, _("slope w"): f"{w:.2f}", _("intercept b"): f"{b:.2f}"}
            for n, (w, b) in fits.items()
        ]
        ui.table(pd.DataFrame(rows))
    st.caption(
        _(
            "Nine points lie near y = 1 + 2x (clean data: slope 2, intercept 1); the vermillion "
            "one is the outlier: drag the sliders or click where it should go. Each line "
            "minimises its loss with torch.optim.Adam; Huber uses δ = {delta}. MSE chases the "
            "outlier, L1 (dashed) barely moves, Huber sits in between."
        ).format(delta=f"{delta:g}")
    )
    ui.show_code(lf.CODE_OUTLIER, _("Show the code: fitting under different losses"))


st.title(_("Loss functions"))
ui.explain(
    _(
        "A loss turns a prediction and a target into one number to minimise; its *gradient* is "
        "what actually moves the weights. Every value and slope below comes from the `torch.nn` "
        "class itself, differentiated by autograd."
    )
)
ui.load_settings(PARAMS + LOGITS)
st.session_state.target = min(int(st.session_state.target), int(st.session_state.k) - 1)
ui.lazy_tabs(TAB, [regression_tab, classification_tab, softmax_tab, outlier_tab])
