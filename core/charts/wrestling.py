"""Charts and pictures for the behaviour-cloning page: actions, positions, losses, views, matches."""

from __future__ import annotations

import io

import altair as alt
import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from core.charts import GRADIENT, LEAF, NEUTRAL, OUTPUT, VALUE, styled

# cell value -> RGB for the 40 x 40 view (close to the game's own colours)
VIEW_COLOURS = {
    0: (255, 255, 255),
    1: (0, 158, 115),  # ring: green
    4: (160, 160, 160),  # lines: grey
    8: (0, 114, 178),  # player 1: blue
    10: (230, 110, 110),  # player 0: light red
}
VIEW_LEGEND = {0: "empty", 1: "ring", 4: "lines", 8: "player 1 (blue)", 10: "player 0 (red)"}
PLAYER_RGB = (VIEW_COLOURS[10], VIEW_COLOURS[8])


def action_histograms(actions: np.ndarray, title: str = "What the expert does") -> alt.Chart:
    """Histograms of force and turn side by side."""
    df = pd.DataFrame({"force": actions[:, 0], "turn (degrees)": actions[:, 1]})
    force = (
        alt.Chart(df, title=f"{title}: force")
        .mark_bar(color=VALUE)
        .encode(
            alt.X("force:Q", bin=alt.Bin(extent=[-100, 200], step=10), title="force"),
            alt.Y("count():Q", title="pairs"),
        )
        .properties(width=380, height=260)
    )
    turn = (
        alt.Chart(df, title=f"{title}: turn")
        .mark_bar(color=GRADIENT)
        .encode(
            alt.X(
                "turn (degrees):Q", bin=alt.Bin(extent=[-30, 30], step=2), title="turn (degrees)"
            ),
            alt.Y("count():Q", title="pairs"),
        )
        .properties(width=380, height=260)
    )
    return styled(alt.hconcat(force, turn))


def positions_chart(pos: np.ndarray, step: np.ndarray, max_points: int = 4000) -> alt.Chart:
    """Where the recorded player stands, coloured by the step of its episode, ring drawn."""
    keep = np.linspace(0, len(pos) - 1, min(len(pos), max_points)).astype(int)
    df = pd.DataFrame({"x": pos[keep, 0], "y": pos[keep, 1], "step": step[keep]})
    a = np.linspace(0, 2 * np.pi, 181)
    ring = pd.DataFrame({"x": 300 + 200 * np.cos(a), "y": 350 + 200 * np.sin(a), "i": range(181)})
    scale_x = alt.Scale(domain=[90, 510])
    scale_y = alt.Scale(domain=[560, 140])  # screen y points down
    rim = (
        alt.Chart(ring)
        .mark_line(color=LEAF, strokeWidth=3)
        .encode(alt.X("x:Q", scale=scale_x), alt.Y("y:Q", scale=scale_y), order="i:Q")
    )
    dots = (
        alt.Chart(df)
        .mark_circle(size=18, opacity=0.5)
        .encode(
            alt.X("x:Q", scale=scale_x, title="x (pixels)"),
            alt.Y("y:Q", scale=scale_y, title="y (pixels)"),
            alt.Color("step:Q", scale=alt.Scale(scheme="viridis"), title="step"),
        )
    )
    return styled(
        (rim + dots).properties(
            title="Where the expert stands (colour: step of the episode)", width=460, height=460
        )
    )


def distance_chart(pos: np.ndarray, step: np.ndarray) -> alt.Chart:
    """Mean distance from the ring's centre against the step of the episode."""
    d = np.hypot(pos[:, 0] - 300, pos[:, 1] - 350)
    df = pd.DataFrame({"step": step, "distance": d}).groupby("step", as_index=False).mean()
    line = (
        alt.Chart(df)
        .mark_line(color=VALUE, strokeWidth=3)
        .encode(
            alt.X("step:Q", title="step of the episode"),
            alt.Y(
                "distance:Q",
                title="distance from the centre (px)",
                scale=alt.Scale(domain=[0, 200]),
            ),
        )
    )
    edge = (
        alt.Chart(pd.DataFrame({"y": [180]}))
        .mark_rule(color=OUTPUT, strokeDash=[6, 4])
        .encode(y="y:Q")
    )
    return styled(
        (line + edge).properties(
            title="Distance from the centre over time (dashed: out)", width=460, height=460
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
    df = pd.DataFrame(rows)
    df = df[np.isfinite(df["loss"])]
    colours = alt.Scale(domain=["training", "validation (held-out episodes)"], range=[LEAF, OUTPUT])
    lines = (
        alt.Chart(df)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1)),
            alt.Y(
                "loss:Q", title="mean squared error (scaled actions)", scale=alt.Scale(type="log")
            ),
            alt.Color("curve:N", scale=colours, title=None, legend=alt.Legend(orient="top")),
        )
    )
    chart = lines
    if history:
        base = pd.DataFrame({"y": [history[-1]["val_baseline"]]})
        chart = lines + alt.Chart(base).mark_rule(color=NEUTRAL, strokeDash=[6, 4]).encode(y="y:Q")
    return styled(chart.properties(title="Loss (dashed: always predicting the mean)", height=340))


def view_image(view: np.ndarray, cell: int = 10) -> Image.Image:
    """A 40 x 40 view drawn large: each cell a `cell` x `cell` square of its colour."""
    lut = np.zeros((256, 3), np.uint8)
    for value, rgb in VIEW_COLOURS.items():
        lut[value] = rgb
    img = lut[np.asarray(view, dtype=np.uint8)]
    img = img.repeat(cell, 0).repeat(cell, 1)
    img[::cell, :] = np.minimum(img[::cell, :], 225)  # faint grid
    img[:, ::cell] = np.minimum(img[:, ::cell], 225)
    return Image.fromarray(img)


def arena_image(
    pos: np.ndarray, theta: np.ndarray, energy: np.ndarray, size: int = 420
) -> Image.Image:
    """The arena seen from above: ring, lines, both agents with headings and energy bars."""
    s = size / 500.0  # board x 50..550, y 100..600 -> image

    def xy(x, y):
        return ((x - 50) * s, (y - 100) * s)

    img = Image.new("RGB", (size, size + 30), "white")
    d = ImageDraw.Draw(img)
    cx, cy = xy(300, 350)
    d.ellipse(
        [cx - 200 * s, cy - 200 * s, cx + 200 * s, cy + 200 * s], outline=(0, 158, 115), width=4
    )
    d.ellipse(
        [cx - 50 * s, cy - 50 * s, cx + 50 * s, cy + 50 * s], outline=(170, 170, 170), width=2
    )
    d.line([xy(140, 350), xy(460, 350)], fill=(170, 170, 170), width=2)
    d.line([xy(300, 190), xy(300, 510)], fill=(170, 170, 170), width=2)
    for i in range(2):
        x, y = xy(*pos[i])
        r = 20 * s
        d.ellipse([x - r, y - r, x + r, y + r], fill=PLAYER_RGB[i], outline=(0, 0, 0))
        h = np.deg2rad(theta[i])
        d.line(
            [(x, y), (x + 1.6 * r * np.cos(h), y + 1.6 * r * np.sin(h))], fill=(0, 0, 0), width=3
        )
        e = max(float(energy[i]), 0.0) / 1000.0
        bx = 10 + i * size / 2
        d.rectangle([bx, size + 8, bx + (size / 2 - 30), size + 22], outline=(0, 0, 0))
        d.rectangle([bx, size + 8, bx + (size / 2 - 30) * e, size + 22], fill=PLAYER_RGB[i])
    return img


def match_frame(match, player: int, t: int, cell: int = 8) -> Image.Image:
    """Step t of a recorded match: the arena beside `player`'s 40 x 40 view."""
    arena = arena_image(match.pos[t], match.theta[t], match.energy[t])
    view = view_image(match.obs[t, player], cell)
    frame = Image.new(
        "RGB", (arena.width + view.width + 20, max(arena.height, view.height)), "white"
    )
    frame.paste(arena, (0, 0))
    frame.paste(view, (arena.width + 20, 0))
    return frame


def match_frames(match, player: int, cell: int = 8) -> list[Image.Image]:
    """One picture per step (see match_frame)."""
    return [match_frame(match, player, t, cell) for t in range(len(match.pos))]


def gif_bytes(frames: list[Image.Image], ms_per_frame: int = 80) -> bytes:
    """Frames as an animated GIF that loops."""
    buf = io.BytesIO()
    frames[0].save(
        buf, format="GIF", save_all=True, append_images=frames[1:], duration=ms_per_frame, loop=0
    )
    return buf.getvalue()


def actions_chart(actions: np.ndarray, player: int, now: int | None = None) -> alt.Chart:
    """Force and turn of `player` along the match, with the current step marked."""
    t = np.arange(len(actions))
    charts = []
    for col, name, colour, dom in (
        (0, "force", VALUE, [-100, 200]),
        (1, "turn (degrees)", GRADIENT, [-30, 30]),
    ):
        df = pd.DataFrame({"step": t, name: actions[:, player, col]})
        line = (
            alt.Chart(df)
            .mark_line(strokeWidth=2, color=colour)
            .encode(
                alt.X("step:Q", title="step"),
                alt.Y(f"{name}:Q", title=name, scale=alt.Scale(domain=dom)),
            )
        )
        if now is not None:
            mark = pd.DataFrame({"step": [now]})
            line = line + alt.Chart(mark).mark_rule(color=OUTPUT, strokeWidth=2).encode(x="step:Q")
        charts.append(line.properties(height=130, width=400))
    return styled(alt.vconcat(*charts).properties(title=f"Player {player}'s actions"))
