"""Charts for the behaviour-cloning page: actions, positions, losses, the view's colour legend.

Pictures of the game itself (arena, match GIF, 40 x 40 views) come from core/wrestling/render.py.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.charts import GRADIENT, LEAF, NEUTRAL, OUTPUT, VALUE, styled
from core.wrestling.rules import FORCE_RANGE, RADIUS, RING_CENTRE, RING_RADIUS, TURN_RANGE

# (column, axis title, colour, range, histogram bin) for each action component
ACTION_PARTS = (
    (0, "force", VALUE, FORCE_RANGE, 10),
    (1, "turn (degrees)", GRADIENT, TURN_RANGE, 2),
)
OUT_DISTANCE = RING_RADIUS - RADIUS  # an agent whose centre gets this far from the middle is out


def action_histograms(actions: np.ndarray, title: str = "What the expert does") -> alt.Chart:
    """Histograms of force and turn side by side."""
    charts = []
    for col, name, colour, extent, step in ACTION_PARTS:
        df = pd.DataFrame({"value": actions[:, col]})
        charts.append(
            alt.Chart(df, title=f"{title}: {name.split()[0]}")
            .mark_bar(color=colour)
            .encode(
                alt.X("value:Q", bin=alt.Bin(extent=list(extent), step=step), title=name),
                alt.Y("count():Q", title="number of pairs"),
            )
            .properties(width=270, height=240)  # both fit side by side in 770 px
        )
    return styled(alt.hconcat(*charts))


def positions_chart(pos: np.ndarray, step: np.ndarray, max_points: int = 4000) -> alt.Chart:
    """Where the recorded player stands, coloured by the step of its episode, ring drawn."""
    keep = np.linspace(0, len(pos) - 1, min(len(pos), max_points)).astype(int)
    df = pd.DataFrame({"x": pos[keep, 0], "y": pos[keep, 1], "step": step[keep]})
    a = np.linspace(0, 2 * np.pi, 181)
    cx, cy = RING_CENTRE
    ring = pd.DataFrame(
        {"x": cx + RING_RADIUS * np.cos(a), "y": cy + RING_RADIUS * np.sin(a), "i": range(181)}
    )
    pad = RING_RADIUS + 10
    scale_x = alt.Scale(domain=[cx - pad, cx + pad])
    scale_y = alt.Scale(domain=[cy + pad, cy - pad])  # screen y points down
    rim = (
        alt.Chart(ring)
        .mark_line(color=LEAF, strokeWidth=3)
        .encode(alt.X("x:Q", scale=scale_x), alt.Y("y:Q", scale=scale_y), order="i:Q")
    )
    dots = (
        alt.Chart(df)
        .mark_circle(size=18, opacity=0.5)
        .encode(
            alt.X("x:Q", scale=scale_x, title="across the arena (pixels)"),
            alt.Y("y:Q", scale=scale_y, title="down the arena (pixels)"),
            alt.Color("step:Q", scale=alt.Scale(scheme="viridis"), title="step"),
        )
    )
    return styled(
        (rim + dots).properties(
            title=alt.TitleParams(
                "Where the expert stands", subtitle="colour: step of the episode"
            ),
            width=330,
            height=330,
        )
    )


def distance_chart(pos: np.ndarray, step: np.ndarray) -> alt.Chart:
    """Mean distance from the ring's centre against the step of the episode."""
    d = np.hypot(pos[:, 0] - RING_CENTRE[0], pos[:, 1] - RING_CENTRE[1])
    df = pd.DataFrame({"step": step, "distance": d}).groupby("step", as_index=False).mean()
    line = (
        alt.Chart(df)
        .mark_line(color=VALUE, strokeWidth=3)
        .encode(
            alt.X("step:Q", title="step of the episode"),
            alt.Y(
                "distance:Q",
                title="distance from the centre (pixels)",
                scale=alt.Scale(domain=[0, RING_RADIUS]),
            ),
        )
    )
    edge = (
        alt.Chart(pd.DataFrame({"y": [OUT_DISTANCE]}))
        .mark_rule(color=OUTPUT, strokeDash=[6, 4])
        .encode(y="y:Q")
    )
    return styled(
        (line + edge).properties(
            title=alt.TitleParams("Distance from the centre", subtitle="over time; dashed: out"),
            height=330,  # the width is its column's
            padding={"top": 16, "left": 5, "right": 5, "bottom": 5},  # room for the title
        )
    )


def loss_chart(history: list[dict]) -> alt.Chart:
    """Training and validation loss per epoch, with the mean predictor's loss as a rule."""
    rows = []
    for h in history:
        rows.append({"epoch": h["epoch"], "loss": h["train_loss"], "curve": "training"})
        rows.append(
            {"epoch": h["epoch"], "loss": h["val_loss"], "curve": "validation (held-out episodes)"}
        )
    df = pd.DataFrame(rows, columns=["epoch", "loss", "curve"])
    df = df[np.isfinite(df["loss"].astype(float))]
    colours = alt.Scale(domain=["training", "validation (held-out episodes)"], range=[LEAF, OUTPUT])
    chart = (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1)),
            alt.Y(
                "loss:Q", title="mean squared error (scaled actions)", scale=alt.Scale(type="log")
            ),
            alt.Color(
                "curve:N",
                scale=colours,
                title=None,
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
        )
    )
    if history:
        base = pd.DataFrame({"y": [history[-1]["val_baseline"]]})
        chart = chart + alt.Chart(base).mark_rule(color=NEUTRAL, strokeDash=[6, 4]).encode(y="y:Q")
    return styled(chart.properties(title="Loss (dashed: always predicting the mean)", height=340))


def actions_chart(actions: np.ndarray, player: int, now: int | None = None) -> alt.Chart:
    """Force and turn of `player` along the match, with the current step marked."""
    t = np.arange(len(actions))
    charts = []
    for col, name, colour, extent, _ in ACTION_PARTS:
        df = pd.DataFrame({"step": t, "value": actions[:, player, col]})
        line = (
            alt.Chart(df)
            .mark_line(strokeWidth=2, color=colour)
            .encode(
                alt.X("step:Q", title="step of the match"),
                alt.Y("value:Q", title=name, scale=alt.Scale(domain=list(extent))),
            )
        )
        if now is not None:
            mark = pd.DataFrame({"step": [now]})
            line = line + alt.Chart(mark).mark_rule(color=OUTPUT, strokeWidth=2).encode(x="step:Q")
        charts.append(line.properties(height=130, width=340))
    return styled(alt.vconcat(*charts).properties(title=f"Player {player}'s actions"))


def legend_chart(legend: list[tuple[int, str, tuple[int, int, int]]]) -> alt.Chart:
    """The view's colour legend: one square per cell value with its number and meaning."""
    df = pd.DataFrame(
        [
            {"row": i, "label": f"{value}: {name}", "colour": "#" + bytes(rgb).hex()}
            for i, (value, name, rgb) in enumerate(legend)
        ]
    )
    y = alt.Y("row:O", axis=None)
    squares = (
        alt.Chart(df)
        .mark_square(size=500, stroke="#333333", strokeWidth=1)
        .encode(
            alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, 10])),
            y,
            alt.Color("colour:N", scale=None),
        )
        .transform_calculate(x="0.5")
    )
    text = (
        alt.Chart(df)
        .mark_text(align="left", dx=22, fontSize=17)
        .encode(alt.X("x:Q", axis=None), y, text="label:N")
        .transform_calculate(x="0.5")
    )
    return styled(
        (squares + text).properties(
            title="What a view's cells hold", width=280, height=38 * len(df)
        )
    ).configure_view(stroke=None)


def win_rate_grid(table: pd.DataFrame) -> alt.Chart:
    """The match table as a grid: opponent x (start, side), each square its win % and games."""
    df = table.assign(
        start=table["opening"].str.replace(" steps", "") + " · as " + table["agent plays"],
        label=table["win %"].round().astype(int).astype(str) + "%",
        result=table["win %"].map(lambda w: "dark" if 25 <= w <= 75 else "light"),
    )
    starts = list(dict.fromkeys(df["start"]))
    base = alt.Chart(df).encode(
        alt.X(
            "start:N",
            sort=starts,
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0, labelExpr="split(datum.label, ' · ')"),
        ),
        alt.Y(
            "opponent:N",
            sort=list(dict.fromkeys(df["opponent"])),
            title=None,
            scale=alt.Scale(paddingInner=0),
            axis=alt.Axis(labelLimit=0),  # whole names: "DAgger shipped" was cut to "DAgger ship…"
        ),
        tooltip=["opponent", "agent plays", "opening", "games", "wins", "draws", "losses"],
    )
    squares = base.mark_rect(stroke="white", strokeWidth=2).encode(
        alt.Color(
            "win %:Q",
            # blue (wins) to orange (losses): no red-green pair, readable when projected
            scale=alt.Scale(domain=[0, 100], scheme="blueorange", reverse=True),
            legend=None,  # each square says its number
        )
    )
    numbers = base.mark_text(fontSize=18, fontWeight="bold").encode(
        alt.Text("label:N"),
        alt.Color(
            "result:N",
            scale=alt.Scale(domain=["dark", "light"], range=["black", "white"]),
            legend=None,
        ),
    )
    return styled(
        (squares + numbers)
        .resolve_scale(color="independent")
        .properties(
            title="How often the agent wins (each square: one pairing)",
            height=alt.Step(44),  # a row per opponent, tall enough for its number
        )
    )
