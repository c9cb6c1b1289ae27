"""Charts for the behaviour-cloning page: actions, positions, losses, the view's colour legend.

Pictures of the game itself (arena, match GIF, 40 x 40 views) come from core/wrestling/render.py.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.charts import GRADIENT, LEAF, NEUTRAL, OUTPUT, VALUE, styled
from core.i18n import N_, Translate, untranslated
from core.wrestling.rules import FORCE_RANGE, RADIUS, RING_CENTRE, RING_RADIUS, TURN_RANGE

# (column, axis title, colour, range, histogram bin) for each action component
ACTION_PARTS = (
    (0, N_("force"), VALUE, FORCE_RANGE, 10),
    (1, N_("turn (degrees)"), GRADIENT, TURN_RANGE, 2),
)
OUT_DISTANCE = RING_RADIUS - RADIUS  # an agent whose centre gets this far from the middle is out


def action_histograms(
    actions: np.ndarray, title: str | None = None, gettext: Translate = untranslated
) -> alt.Chart:
    """Histograms of force and turn side by side."""
    _ = gettext
    title = title or _("What the expert does")
    charts = []
    for (col, name, colour, extent, step), part in zip(
        ACTION_PARTS, (_("force"), _("turn")), strict=True
    ):
        df = pd.DataFrame({"value": actions[:, col]})
        charts.append(
            alt.Chart(df, title=_("{title}: {part}").format(title=title, part=part))
            .mark_bar(color=colour)
            .encode(
                alt.X("value:Q", bin=alt.Bin(extent=list(extent), step=step), title=_(name)),
                alt.Y("count():Q", title=_("number of pairs")),
            )
            .properties(width=270, height=240)  # both fit side by side in 770 px
        )
    return styled(alt.hconcat(*charts))


def positions_chart(
    pos: np.ndarray, step: np.ndarray, max_points: int = 4000, gettext: Translate = untranslated
) -> alt.Chart:
    """Where the recorded player stands, coloured by the step of its episode, ring drawn."""
    _ = gettext
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
            alt.X("x:Q", scale=scale_x, title=_("across the arena (pixels)")),
            alt.Y("y:Q", scale=scale_y, title=_("down the arena (pixels)")),
            alt.Color("step:Q", scale=alt.Scale(scheme="viridis"), title=_("step")),
        )
    )
    return styled(
        (rim + dots).properties(
            title=alt.TitleParams(
                _("Where the expert stands"), subtitle=_("colour: step of the episode")
            ),
            width=330,
            height=330,
        )
    )


def distance_chart(
    pos: np.ndarray, step: np.ndarray, gettext: Translate = untranslated
) -> alt.Chart:
    """Mean distance from the ring's centre against the step of the episode."""
    _ = gettext
    d = np.hypot(pos[:, 0] - RING_CENTRE[0], pos[:, 1] - RING_CENTRE[1])
    df = pd.DataFrame({"step": step, "distance": d}).groupby("step", as_index=False).mean()
    line = (
        alt.Chart(df)
        .mark_line(color=VALUE, strokeWidth=3)
        .encode(
            alt.X("step:Q", title=_("step of the episode")),
            alt.Y(
                "distance:Q",
                title=_("distance from the centre (pixels)"),
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
            title=alt.TitleParams(_("Distance from centre"), subtitle=_("over time; dashed: out")),
            height=330,  # the width is its column's
            padding={"top": 24, "left": 5, "right": 5, "bottom": 5},  # room for the title
        )
    )


def loss_chart(history: list[dict], gettext: Translate = untranslated) -> alt.Chart:
    """Training and validation loss per epoch, with the mean predictor's loss as a rule."""
    _ = gettext
    train, val = _("training"), _("validation (held-out episodes)")
    rows = []
    for h in history:
        rows.append({"epoch": h["epoch"], "loss": h["train_loss"], "curve": train})
        rows.append({"epoch": h["epoch"], "loss": h["val_loss"], "curve": val})
    df = pd.DataFrame(rows, columns=["epoch", "loss", "curve"])
    df = df[np.isfinite(df["loss"].astype(float))]
    colours = alt.Scale(domain=[train, val], range=[LEAF, OUTPUT])
    chart = (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            alt.X("epoch:Q", title=_("epoch"), axis=alt.Axis(tickMinStep=1)),
            alt.Y(
                "loss:Q",
                title=_("mean squared error (scaled actions)"),
                scale=alt.Scale(type="log"),
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
    title = _("Loss (dashed: always predicting the mean)")
    return styled(chart.properties(title=title, height=340))


def actions_chart(
    actions: np.ndarray, player: int, now: int | None = None, gettext: Translate = untranslated
) -> alt.Chart:
    """Force and turn of `player` along the match, with the current step marked."""
    _ = gettext
    t = np.arange(len(actions))
    charts = []
    for col, name, colour, extent, _bin in ACTION_PARTS:
        df = pd.DataFrame({"step": t, "value": actions[:, player, col]})
        line = (
            alt.Chart(df)
            .mark_line(strokeWidth=2, color=colour)
            .encode(
                alt.X("step:Q", title=_("step of the match")),
                alt.Y("value:Q", title=_(name), scale=alt.Scale(domain=list(extent))),
            )
        )
        if now is not None:
            mark = pd.DataFrame({"step": [now]})
            line = line + alt.Chart(mark).mark_rule(color=OUTPUT, strokeWidth=2).encode(x="step:Q")
        charts.append(line.properties(height=130, width=340))
    title = _("Player {player}'s actions").format(player=player)
    return styled(alt.vconcat(*charts).properties(title=title))


def legend_chart(
    legend: list[tuple[int, str, tuple[int, int, int]]], gettext: Translate = untranslated
) -> alt.Chart:
    """The view's colour legend: one square per cell value with its number and meaning."""
    _ = gettext
    df = pd.DataFrame(
        [
            {"row": i, "label": f"{value}: {_(name)}", "colour": "#" + bytes(rgb).hex()}
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
            title=_("What a view's cells hold"), width=280, height=38 * len(df)
        )
    ).configure_view(stroke=None)


def _opening(text: str, short: bool, gettext: Translate) -> str:
    """A pairing's opening ("fixed start", "random 0-10 steps") in the reader's language."""
    _ = gettext
    if text.startswith("random 0-") and text.endswith(" steps"):
        n = text.removeprefix("random 0-").removesuffix(" steps")
        return (_("random 0-{n}") if short else _("random 0-{n} steps")).format(n=n)
    return _(text)


def _player(text: str, gettext: Translate) -> str:
    """ "player 0" in the reader's language."""
    return gettext("player {n}").format(n=text.removeprefix("player "))


N_("fixed start")  # the opening a pairing names (core.wrestling.play), translated where shown

# the match table's columns as a reader sees them (core.wrestling.play.table's names)
TABLE_COLUMNS = {
    "opponent": N_("opponent"),
    "agent plays": N_("agent plays"),
    "opening": N_("opening"),
    "games": N_("games"),
    "wins": N_("wins"),
    "draws": N_("draws"),
    "losses": N_("lost"),  # games lost (not a loss function's loss)
    "win %": N_("win %"),
    "mean length": N_("mean length"),
}


def shown_table(table: pd.DataFrame, gettext: Translate = untranslated) -> pd.DataFrame:
    """The match table for the page: indexed by opponent, names and headers translated."""
    _ = gettext
    shown = table.drop(columns="agent").assign(
        opponent=table["opponent"].map(_),
        **{"agent plays": table["agent plays"].map(lambda p: _player(p, _))},
        opening=table["opening"].map(lambda o: _opening(o, False, _)),
    )
    shown = shown.rename(columns={k: _(v) for k, v in TABLE_COLUMNS.items()})
    return shown.set_index(_("opponent"))


def win_rate_grid(table: pd.DataFrame, gettext: Translate = untranslated) -> alt.Chart:
    """The match table as a grid: opponent x (start, side), each square its win % and games."""
    _ = gettext
    start = [
        _("{opening} · as {player}").format(opening=_opening(o, True, _), player=_player(p, _))
        for o, p in zip(table["opening"], table["agent plays"], strict=True)
    ]
    df = table.assign(
        start=start,
        opponent=table["opponent"].map(_),
        opening=table["opening"].map(lambda o: _opening(o, False, _)),
        **{"agent plays": table["agent plays"].map(lambda p: _player(p, _))},
        label=table["win %"].round().astype(int).astype(str) + "%",
        result=table["win %"].map(lambda w: "dark" if 25 <= w <= 75 else "light"),
    )
    starts = list(dict.fromkeys(df["start"]))
    tips = ("opponent", "agent plays", "opening", "games", "wins", "draws", "losses")
    counts = ("games", "wins", "draws", "losses")
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
        tooltip=[
            alt.Tooltip(f"{c}:{'Q' if c in counts else 'N'}", title=_(TABLE_COLUMNS[c]))
            for c in tips
        ],
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
            title=_("How often the agent wins (each square: one pairing)"),
            height=alt.Step(44),  # a row per opponent, tall enough for its number
        )
    )
