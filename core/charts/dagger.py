"""Charts of the DAgger lesson: where each policy goes (distribution shift), DAgger's progress."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.charts import CATEGORICAL, GRADIENT, LEAF, NEUTRAL, OUTPUT, VALUE, styled
from core.i18n import N_, Translate, untranslated
from core.wrestling.dagger import Visitation, heat_map
from core.wrestling.rules import RADIUS, RING_CENTRE, RING_RADIUS

POLICY_COLOURS = {"expert": LEAF, "BC": GRADIENT, "DAgger": VALUE}
OPPONENT_COLOURS = {"random": NEUTRAL, "still": LEAF, "course": GRADIENT, "expert": OUTPUT}
# the opponents as a legend names them (translated where shown)
OPPONENT_NAMES = {
    "random": N_("random"),
    "still": N_("still"),
    "course": N_("BC, course data"),
    "expert": N_("expert"),
}
EDGE = RING_RADIUS - RADIUS  # the centre's distance to the edge when the agent is out


def _colour(name: str, i: int) -> str:
    return POLICY_COLOURS.get(name, CATEGORICAL[i % len(CATEGORICAL)])


def _ring() -> pd.DataFrame:
    a = np.linspace(0, 2 * np.pi, 121)
    cx, cy = RING_CENTRE
    return pd.DataFrame(
        {"x": cx + EDGE * np.cos(a), "y": cy + EDGE * np.sin(a), "i": np.arange(len(a))}
    )


def visitation_maps(
    visits: list[Visitation], cells: int = 20, width: int = 190, gettext: Translate = untranslated
) -> alt.Chart:
    """One heat map per policy of where its centre goes; crosses: its last steps before losing."""
    _ = gettext
    cx, cy = RING_CENTRE
    sx = alt.Scale(domain=[cx - RING_RADIUS, cx + RING_RADIUS])
    sy = alt.Scale(domain=[cy + RING_RADIUS, cy - RING_RADIUS])  # screen y points down
    panels = []
    for v in visits:
        counts, xs, ys = heat_map(v.pos, cells)
        share = counts / max(1.0, counts.sum())
        gx, gy = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        df = pd.DataFrame(
            {
                "x0": xs[gx.ravel()],
                "x1": xs[gx.ravel() + 1],
                "y0": ys[gy.ravel()],
                "y1": ys[gy.ravel() + 1],
                "share": 100 * share.ravel(),
            }
        )
        df = df[df.share > 0]
        heat = (
            alt.Chart(df)
            .mark_rect()
            .encode(
                alt.X("x0:Q", scale=sx, title=_("across the arena (px)")),
                alt.X2("x1:Q"),
                alt.Y("y0:Q", scale=sy, title=_("down the arena (px)")),
                alt.Y2("y1:Q"),
                alt.Color(
                    "share:Q",
                    scale=alt.Scale(scheme="blues", type="sqrt"),
                    title=_("% of states"),
                ),
                tooltip=[alt.Tooltip("share:Q", format=".2f", title=_("% of states"))],
            )
        )
        ring = (
            alt.Chart(_ring())
            .mark_line(color=OUTPUT, strokeDash=[6, 4], strokeWidth=2)
            .encode(alt.X("x:Q", scale=sx), alt.Y("y:Q", scale=sy), order="i:Q")
        )
        layers = [heat, ring]
        if v.lost_out.any():
            lost = pd.DataFrame({"x": v.pos[v.lost_out, 0], "y": v.pos[v.lost_out, 1]})
            layers.append(
                alt.Chart(lost)
                .mark_point(shape="cross", color=OUTPUT, size=50, filled=True)
                .encode(alt.X("x:Q", scale=sx), alt.Y("y:Q", scale=sy))
            )
        games = len(v.winner)
        won = int((v.winner == v.sides).sum())
        title = _("{name}: won {won} of {games}").format(name=_(v.name), won=won, games=games)
        panels.append(alt.layer(*layers).properties(title=title, width=width, height=width))
    # two a row: with their colour scales they fit a 770 px column (1280 wide, sidebar open)
    return styled(alt.concat(*panels, columns=2).resolve_scale(color="independent"))


def _histogram(values: dict[str, np.ndarray], bins: np.ndarray, field: str) -> pd.DataFrame:
    rows = []
    for name, x in values.items():
        counts, _ = np.histogram(np.clip(x, bins[0], bins[-1]), bins)
        share = 100 * counts / max(1, counts.sum())
        rows += [
            {"policy": name, field: float(b), "share": float(s)}
            for b, s in zip(bins[:-1], share, strict=True)
        ]
    return pd.DataFrame(rows)


def distributions(
    visits: list[Visitation], width: int = 250, gettext: Translate = untranslated
) -> alt.Chart:
    """Distance to the ring's edge and energy: how often each policy is where (share of states)."""
    _ = gettext
    names = [v.name for v in visits]
    colours = alt.Scale(
        domain=[_(n) for n in names], range=[_colour(n, i) for i, n in enumerate(names)]
    )
    edge_bins = np.linspace(0, EDGE, 19)
    energy_bins = np.linspace(0, 1000, 21)
    charts = []
    for field, title, bins, axis in (
        (
            "edge",
            _("Distance to the ring's edge"),
            edge_bins,
            _("distance to the edge (px; 0: out)"),
        ),
        ("energy", _("Energy"), energy_bins, _("energy (1000: full)")),
    ):
        data = {
            _(v.name): (np.maximum(v.edge - RADIUS, 0) if field == "edge" else v.energy)
            for v in visits
        }
        df = _histogram(data, bins, field)
        charts.append(
            alt.Chart(df)
            .mark_line(interpolate="step-after", strokeWidth=3)
            .encode(
                alt.X(f"{field}:Q", title=axis),
                alt.Y("share:Q", title=_("% of visited states")),
                alt.Color("policy:N", scale=colours, title=_("policy")),
                tooltip=[
                    alt.Tooltip("policy:N", title=_("policy")),
                    alt.Tooltip("share:Q", format=".1f", title=_("% of visited states")),
                ],
            )
            .properties(title=title, width=width, height=260)
        )
    return styled(alt.concat(*charts, columns=2))


def progress(history: list[dict], width: int = 460, gettext: Translate = untranslated) -> alt.Chart:
    """Win rate per DAgger iteration against each opponent (both sides), and the data's size."""
    _ = gettext
    df = pd.DataFrame(history)
    names = [n for n in OPPONENT_COLOURS if n in set(df.opponent)] if len(df) else []
    shown = {n: _(OPPONENT_NAMES.get(n, n)) for n in OPPONENT_COLOURS}
    if len(df):
        df = df.assign(opponent=df.opponent.map(lambda n: shown.get(n, n)))
    colours = alt.Scale(
        domain=[shown[n] for n in names], range=[OPPONENT_COLOURS[n] for n in names]
    )
    wins = (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=80), strokeWidth=3)
        .encode(
            alt.X("iteration:O", title=_("DAgger iteration (0: behaviour cloning)")),
            alt.Y("win %:Q", scale=alt.Scale(domain=[0, 100]), title=_("win % (both sides)")),
            alt.Color("opponent:N", scale=colours, title=_("against")),
            tooltip=[
                alt.Tooltip("iteration:O", title=_("iteration")),
                alt.Tooltip("opponent:N", title=_("opponent")),
                alt.Tooltip("wins:Q", title=_("wins")),
                alt.Tooltip("games:Q", title=_("games")),
                alt.Tooltip("win %:Q", title=_("win %")),
            ],
        )
        .properties(title=_("Win rate per iteration"), width=width, height=280)
    )
    sizes = df.drop_duplicates("iteration") if len(df) else df
    size = (
        alt.Chart(sizes)
        .mark_bar(color=NEUTRAL)
        .encode(
            alt.X("iteration:O", title=_("DAgger iteration")),
            alt.Y("pairs:Q", title=_("pairs in the data")),
            tooltip=[
                alt.Tooltip("iteration:O", title=_("iteration")),
                alt.Tooltip("pairs:Q", title=_("pairs in the data")),
            ],
        )
        .properties(title=_("The aggregated data set's size"), width=width, height=140)
    )
    return styled(alt.vconcat(wins, size))


def history_rows(iteration: int, results: list[dict], pairs: int) -> list[dict]:
    """A DAgger evaluation as rows for `progress`: one per opponent, both sides summed."""
    out: dict[str, list[int]] = {}
    for r in results:
        w, g = out.setdefault(r["opponent"], [0, 0])
        out[r["opponent"]] = [w + r["wins"], g + r["games"]]
    return [
        {
            "iteration": iteration,
            "opponent": name,
            "wins": w,
            "games": g,
            "win %": round(100 * w / max(1, g), 1),
            "pairs": pairs,
        }
        for name, (w, g) in out.items()
    ]
