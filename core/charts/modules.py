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

CALL_COLOURS = {
    "train, call 1": GRADIENT,
    "train, call 2": OUTPUT,
    "eval, call 1": VALUE,
    "eval, call 2": BLACK,
}


def parameter_steps_chart(history: list[dict], forgot: bool) -> alt.Chart:
    """Every number of w and b after each SGD step; b grey and flat when it is not a Parameter."""
    df = pd.DataFrame(history)
    b_kind = "b: plain tensor (forgotten)" if forgot else "b: nn.Parameter"
    df["kind"] = df["tensor"].map({"w": "w: nn.Parameter", "b": b_kind})
    colours = alt.Scale(
        domain=["w: nn.Parameter", b_kind], range=[LEAF, NEUTRAL if forgot else VALUE]
    )
    chart = (
        alt.Chart(df, title="w and b, SGD step by SGD step")
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("step:Q", title="SGD step", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title="value"),
            color=alt.Color(
                "kind:N", scale=colours, title=None, legend=alt.Legend(orient="bottom")
            ),
            detail="element:N",
            tooltip=["element", "step", alt.Tooltip("value:Q", format=".4f")],
        )
        .properties(height=400)
    )
    return styled(chart)


def masks_chart(masks: dict[str, torch.Tensor], p: float) -> alt.Chart:
    """nn.Dropout(p) on torch.ones(4, 8), once per panel: zeros, and the kept ones scaled."""
    rows = [
        {"panel": name, "row": r, "col": c, "value": float(v)}
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
            title="value",
            legend=alt.Legend(values=sorted({0.0, 1.0, round(top, 3)}), format=".3~f"),
        )
    )
    chart = (
        alt.layer(cells, data=df)
        .facet(
            column=alt.Column(
                "panel:N", sort=list(masks), header=alt.Header(labelFontSize=16, title=None)
            )
        )
        .properties(title=f"nn.Dropout(p={p:g}) on torch.ones(4, 8)")
    )
    return styled(chart)


def outputs_chart(outputs: dict[str, torch.Tensor]) -> alt.Chart:
    """The model's output per sample, for each of the four calls: train twice, eval twice."""
    df = pd.DataFrame(
        [
            {"sample": i, "call": call, "output": v}
            for call, out in outputs.items()
            for i, v in enumerate(out.tolist())
        ]
    )
    chart = (
        alt.Chart(df, title="The same input x, four calls")
        .mark_point(filled=True, size=220, opacity=0.9)
        .encode(
            x=alt.X("sample:O", title="sample of the batch", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("call:N", sort=list(CALL_COLOURS)),
            y=alt.Y("output:Q", title="model output"),
            color=alt.Color(
                "call:N",
                sort=list(CALL_COLOURS),
                scale=alt.Scale(domain=list(CALL_COLOURS), range=list(CALL_COLOURS.values())),
                title=None,
                legend=alt.Legend(orient="bottom", columns=2),
            ),
            shape=alt.Shape("call:N", sort=list(CALL_COLOURS), legend=None),
            tooltip=["call", "sample", alt.Tooltip("output:Q", format=".4f")],
        )
        .properties(height=400)
    )
    return styled(chart)


def batches_chart(rows: list[dict], batches_per_epoch: int) -> alt.Chart:
    """Epoch by position: which sample index came where, coloured by the batch it landed in."""
    df = pd.DataFrame(rows)
    df["batch label"] = [
        "dropped" if pd.isna(b) else f"batch {int(b)}" for b in df["batch"]
    ]  # fmt: skip
    domain = [f"batch {b}" for b in range(batches_per_epoch)] + ["dropped"]
    palette = [c for c in CATEGORICAL if c != BLACK]
    colours = [palette[b % len(palette)] for b in range(batches_per_epoch)] + [NEUTRAL]
    base = (
        alt.Chart(df)
        .encode(
            x=alt.X(
                "position:O",
                title="position in the epoch (order the loader yields)",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("epoch:O", title="epoch"),
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
        tooltip=["epoch", "position", "index", "batch label"],
    )
    labels = base.mark_text(fontSize=16, fontWeight="bold", color="black").encode(text="index:Q")
    return styled(
        alt.layer(cells, labels).properties(title="Sample indices, batch by batch, epoch by epoch")
    )


QUANTITIES = {"value": VALUE, ".grad": GRADIENT, "this batch's gradient": OUTPUT}


def loop_chart(
    params: dict, grads: dict | None, batch_grad: dict | None, limit: float
) -> alt.Chart:
    """The three numbers of nn.Linear(2, 1) now: their values, their .grad, this batch's gradient."""
    rows = []
    for name, value in params.items():
        rows.append({"parameter": name, "quantity": "value", "number": value, "label": ""})
        g = None if grads is None else grads[name]
        rows.append({"parameter": name, "quantity": ".grad", "number": g or 0.0,
                     "label": "None" if g is None else ""})  # fmt: skip
        own = None if batch_grad is None else batch_grad[name]
        rows.append({"parameter": name, "quantity": "this batch's gradient",
                     "number": own or 0.0, "label": "–" if own is None else ""})  # fmt: skip
    df = pd.DataFrame(rows)
    y = alt.Y("number:Q", title="number", scale=alt.Scale(domain=[-limit, limit]))
    base = alt.Chart(df).encode(
        x=alt.X("parameter:N", title="parameter", sort=list(params), axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("quantity:N", sort=list(QUANTITIES)),
    )
    bars = base.mark_bar().encode(
        y=y,
        color=alt.Color(
            "quantity:N",
            sort=list(QUANTITIES),
            scale=alt.Scale(domain=list(QUANTITIES), range=list(QUANTITIES.values())),
            title=None,
            legend=alt.Legend(orient="bottom", labelLimit=400),
        ),
        tooltip=["parameter", "quantity", alt.Tooltip("number:Q", format=".4f")],
    )
    none = base.mark_text(fontSize=16, dy=-12, color=HIGHLIGHT, fontWeight="bold").encode(
        y=y, text="label:N"
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color=NEUTRAL).encode(y="zero:Q")
    chart = alt.layer(bars, none, zero).properties(
        title="Parameters and their gradients now", height=400
    )
    return styled(chart)


def predictions_chart(original: torch.Tensor, loaded: torch.Tensor) -> alt.Chart:
    """The saved model's and the loaded model's predictions on the same five inputs."""
    df = pd.DataFrame(
        [
            {"input": i, "model": name, "prediction": v}
            for name, out in (("original", original), ("loaded copy", loaded))
            for i, v in enumerate(out.flatten().tolist())
        ]
    )
    models = ["original", "loaded copy"]
    chart = (
        alt.Chart(df, title="Predictions: the original and the loaded copy")
        .mark_point(size=320, strokeWidth=3)
        .encode(
            x=alt.X("input:O", title="input row", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("prediction:Q", title="prediction"),
            color=alt.Color("model:N", sort=models, scale=alt.Scale(domain=models, range=[LEAF, OUTPUT]),
                            title=None, legend=alt.Legend(orient="bottom")),
            shape=alt.Shape("model:N", sort=models, scale=alt.Scale(domain=models, range=["circle", "cross"]),
                            legend=None),
            tooltip=["model", "input", alt.Tooltip("prediction:Q", format=".6f")],
        )
        .properties(height=360)
    )  # fmt: skip
    return styled(chart)
