"""Charts of the module chapter: parameters over steps, Dropout masks, batches, the loop's bars.

Data in (plain rows and dicts from core.modules), `alt.Chart` out; the page only places them.
"""

import altair as alt
import pandas as pd
import torch

from core.charts import (
    BLACK,
    CATEGORICAL,
    GRADIENT,
    HIGHLIGHT,
    LEAF,
    NEUTRAL,
    OUTPUT,
    VALUE,
    styled,
)
from core.i18n import N_, Translate, untranslated

CALL_COLOURS = {  # core.modules.modes keys its outputs by these; the legend translates them
    N_("train, call 1"): GRADIENT,
    N_("train, call 2"): OUTPUT,
    N_("eval, call 1"): VALUE,
    N_("eval, call 2"): BLACK,
}


def parameter_steps_chart(
    history: list[dict], forgot: bool, gettext: Translate = untranslated
) -> alt.Chart:
    """Every number of W and b after each SGD step; b grey and flat when it is not a Parameter."""
    _ = gettext
    df = pd.DataFrame(history)
    b_kind = _("b: plain tensor (forgotten)") if forgot else "b: nn.Parameter"
    df["kind"] = df["tensor"].map({"W": "W: nn.Parameter", "b": b_kind})
    colours = alt.Scale(
        domain=["W: nn.Parameter", b_kind], range=[LEAF, NEUTRAL if forgot else VALUE]
    )
    chart = (
        alt.Chart(df, title=_("W and b, SGD step by SGD step"))
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("step:Q", title=_("SGD step"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title=_("value")),
            color=alt.Color(
                "kind:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")
            ),
            detail="element:N",
            tooltip=[
                alt.Tooltip("element:N", title=_("element")),
                alt.Tooltip("step:Q", title=_("SGD step")),
                alt.Tooltip("value:Q", title=_("value"), format=".4f"),
            ],
        )
        .properties(height=400)
    )
    return styled(chart)


MASK_PANELS = (N_("train, call 1"), N_("train, call 2"), N_("eval"))  # core.modules.modes' keys


def masks_chart(
    masks: dict[str, torch.Tensor], p: float, gettext: Translate = untranslated
) -> alt.Chart:
    """nn.Dropout(p) on torch.ones(4, 8), once per panel: zeros, and the kept ones scaled."""
    _ = gettext
    rows = [
        {"panel": _(name), "row": r, "col": c, "value": float(v)}
        for name, m in masks.items()
        for (r, c), v in zip(
            ((r, c) for r in range(m.shape[0]) for c in range(m.shape[1])),
            m.flatten().tolist(),
            strict=True,
        )
    ]
    df = pd.DataFrame(rows)
    top = max(1.0 / (1.0 - p), 1.0)
    base = alt.Chart(df).encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None)
    ).properties(width=8 * 22, height=4 * 22)  # fmt: skip
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            "value:Q",
            scale=alt.Scale(domain=[0, top], range=["white", VALUE]),
            title=_("value"),
            legend=alt.Legend(values=sorted({0.0, 1.0, round(top, 3)}), format=".3~f"),
        )
    )
    chart = (
        alt.layer(cells, data=df)
        .facet(
            column=alt.Column(
                "panel:N",
                sort=[_(k) for k in masks],
                header=alt.Header(labelFontSize=16, title=None),
            )
        )
        .properties(title=_("nn.Dropout(p={p:g}) on torch.ones(4, 8)").format(p=p))
    )
    return styled(chart)


NUMBER_WORDS = {
    1: N_("The same input x, one call"),
    2: N_("The same input x, two calls"),
    3: N_("The same input x, three calls"),
    4: N_("The same input x, four calls"),
}


def outputs_chart(outputs: dict[str, torch.Tensor], gettext: Translate = untranslated) -> alt.Chart:
    """The model's output per sample, for each call made: train twice (unless BatchNorm refused
    a batch of one), eval twice."""
    _ = gettext
    calls = [_(call) for call in CALL_COLOURS]
    df = pd.DataFrame(
        [
            {"sample": i, "call": _(call), "output": v}
            for call, out in outputs.items()
            for i, v in enumerate(out.tolist())
        ]
    )
    chart = (
        alt.Chart(df, title=_(NUMBER_WORDS[len(outputs)]))
        .mark_point(filled=True, size=220, opacity=0.9)
        .encode(
            x=alt.X("sample:O", title=_("sample of the batch"), axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("call:N", sort=calls),
            y=alt.Y("output:Q", title=_("model output")),
            color=alt.Color(
                "call:N",
                sort=calls,
                scale=alt.Scale(domain=calls, range=list(CALL_COLOURS.values())),
                title=None,
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            shape=alt.Shape("call:N", sort=calls, legend=None),
            tooltip=[
                alt.Tooltip("call:N", title=_("call")),
                alt.Tooltip("sample:O", title=_("sample")),
                alt.Tooltip("output:Q", title=_("output"), format=".4f"),
            ],
        )
        .properties(height=400)
    )
    return styled(chart)


def batches_chart(
    rows: list[dict], batches_per_epoch: int, gettext: Translate = untranslated
) -> alt.Chart:
    """Epoch by position: which sample index came where, coloured by the batch it landed in."""
    _ = gettext
    df = pd.DataFrame(rows)
    dropped = _("dropped")
    df["batch label"] = [
        dropped if pd.isna(b) else _("batch {b}").format(b=int(b)) for b in df["batch"]
    ]  # fmt: skip
    domain = [_("batch {b}").format(b=b) for b in range(batches_per_epoch)] + [dropped]
    palette = [c for c in CATEGORICAL if c != BLACK]
    colours = [palette[b % len(palette)] for b in range(batches_per_epoch)] + [NEUTRAL]
    base = (
        alt.Chart(df)
        .encode(
            x=alt.X(
                "position:O",
                title=_("position in the epoch (order the loader yields)"),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("epoch:O", title=_("epoch")),
        )
        .properties(height=48 * (int(df["epoch"].max()) + 1) + 170)
    )  # title, axis, legend too
    cells = base.mark_rect(stroke="white", strokeWidth=2, opacity=0.6).encode(
        color=alt.Color(
            "batch label:N",
            sort=domain,
            scale=alt.Scale(domain=domain, range=colours),
            title=None,
            legend=alt.Legend(orient="bottom", columns=min(len(domain), 7)),
        ),
        tooltip=[
            alt.Tooltip("epoch:O", title=_("epoch")),
            alt.Tooltip("position:O", title=_("position")),
            alt.Tooltip("index:Q", title=_("sample index")),
            alt.Tooltip("batch label:N", title=_("batch")),
        ],
    )
    labels = base.mark_text(fontSize=16, fontWeight="bold", color="black").encode(text="index:Q")
    return styled(
        alt.layer(cells, labels).properties(
            title=_("Sample indices, batch by batch, epoch by epoch")
        )
    )


QUANTITIES = {N_("value"): VALUE, ".grad": GRADIENT, N_("this batch's gradient"): OUTPUT}


def loop_chart(
    params: dict,
    grads: dict | None,
    batch_grad: dict | None,
    limit: float,
    gettext: Translate = untranslated,
) -> alt.Chart:
    """The three numbers of nn.Linear(2, 1) now: their values, their .grad, this batch's gradient."""
    _ = gettext
    value, grad, own_grad = (_(q) for q in QUANTITIES)
    quantities = [value, grad, own_grad]
    rows = []
    for name, v in params.items():
        rows.append({"parameter": name, "quantity": value, "number": v, "label": ""})
        g = None if grads is None else grads[name]
        rows.append({"parameter": name, "quantity": grad, "number": g or 0.0,
                     "label": "None" if g is None else ""})  # fmt: skip
        own = None if batch_grad is None else batch_grad[name]
        rows.append({"parameter": name, "quantity": own_grad,
                     "number": own or 0.0, "label": "–" if own is None else ""})  # fmt: skip
    df = pd.DataFrame(rows)
    y = alt.Y("number:Q", title=_("number"), scale=alt.Scale(domain=[-limit, limit]))
    base = alt.Chart(df).encode(
        x=alt.X(
            "parameter:N", title=_("parameter"), sort=list(params), axis=alt.Axis(labelAngle=0)
        ),
        xOffset=alt.XOffset("quantity:N", sort=quantities),
    )
    bars = base.mark_bar().encode(
        y=y,
        color=alt.Color(
            "quantity:N",
            sort=quantities,
            scale=alt.Scale(domain=quantities, range=list(QUANTITIES.values())),
            title=None,
            legend=alt.Legend(orient="bottom", labelLimit=400),
        ),
        tooltip=[
            alt.Tooltip("parameter:N", title=_("parameter")),
            alt.Tooltip("quantity:N", title=_("quantity")),
            alt.Tooltip("number:Q", title=_("number"), format=".4f"),
        ],
    )
    none = base.mark_text(fontSize=16, dy=-12, color=HIGHLIGHT, fontWeight="bold").encode(
        y=y, text="label:N"
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color=NEUTRAL).encode(y="zero:Q")
    chart = alt.layer(bars, none, zero).properties(
        title=_("Parameters and their gradients now"),
        height=340,  # under the settings, on one screen
    )
    return styled(chart)


def predictions_chart(
    original: torch.Tensor, loaded: torch.Tensor, gettext: Translate = untranslated
) -> alt.Chart:
    """The saved model's and the loaded model's predictions on the same five inputs."""
    _ = gettext
    models = [_("original"), _("loaded copy")]
    df = pd.DataFrame(
        [
            {"input": i, "model": name, "prediction": v}
            for name, out in zip(models, (original, loaded), strict=True)
            for i, v in enumerate(out.flatten().tolist())
        ]
    )
    chart = (
        alt.Chart(df, title=_("Predictions: the original and the loaded copy"))
        .mark_point(size=320, strokeWidth=3)
        .encode(
            x=alt.X("input:O", title=_("input row"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("prediction:Q", title=_("prediction")),
            color=alt.Color("model:N", sort=models, scale=alt.Scale(domain=models, range=[LEAF, OUTPUT]),
                            title=None, legend=alt.Legend(orient="bottom")),
            shape=alt.Shape("model:N", sort=models, scale=alt.Scale(domain=models, range=["circle", "cross"]),
                            legend=None),
            tooltip=[alt.Tooltip("model:N", title=_("model")),
                     alt.Tooltip("input:O", title=_("input row")),
                     alt.Tooltip("prediction:Q", title=_("prediction"), format=".6f")],
        )
        .properties(height=360)
    )  # fmt: skip
    return styled(chart)
