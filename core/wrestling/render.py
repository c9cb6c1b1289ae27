"""Pictures of the wrestling game with Pillow: the arena, a whole match as a GIF, the 40 x 40 view.

Colours follow the original engine's viewer: player 0 light red, player 1 blue, the ring green,
the centre lines and inner circle grey, on white.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw

from core.i18n import N_
from core.wrestling.rules import (
    BLUE,
    ENERGY_CAP,
    INNER_RADIUS,
    LIGHT_RED,
    LINE,
    LINES,
    RADIUS,
    RING,
    RING_CENTRE,
    RING_RADIUS,
    VIEW_BACK,
    VISIBILITY,
)

BOARD = 700  # px, the original's 600 + 2 x 50 edge
WHITE = (255, 255, 255)
GREEN = (0, 255, 0)
GREY = (176, 196, 222)
PLAYER_RGB = ((255, 127, 127), (0, 0, 255))  # light red, blue
DARK = (40, 40, 40)

# Colour of each cell value of an observation, and its name.
VIEW_COLOURS = {
    0: (N_("empty"), WHITE),
    RING: (N_("ring (green)"), GREEN),
    LINE: (N_("centre lines / inner circle (grey)"), GREY),
    BLUE: (N_("player 1 (blue)"), PLAYER_RGB[1]),
    LIGHT_RED: (N_("player 0 (light red)"), PLAYER_RGB[0]),
}
_VIEW_LUT = np.zeros((256, 3), np.uint8)
for _value, (_name, _rgb) in VIEW_COLOURS.items():
    _VIEW_LUT[_value] = _rgb


def view_legend() -> list[tuple[int, str, tuple[int, int, int]]]:
    """The observation's cell values with a name and an RGB colour each: [(value, name, rgb)]."""
    return [(value, name, rgb) for value, (name, rgb) in VIEW_COLOURS.items()]


def draw_view(obs: np.ndarray, cell: int = 10, grid: bool = True) -> np.ndarray:
    """A 40 x 40 observation drawn large (nearest neighbour), as an RGB array (40 cell, 40 cell, 3)."""
    obs = np.asarray(obs)
    if obs.shape != (40, 40):
        raise ValueError(f"an observation is 40 x 40, got {obs.shape}")
    rgb = _VIEW_LUT[np.clip(obs, 0, 255).astype(np.uint8)]
    big = np.repeat(np.repeat(rgb, cell, axis=0), cell, axis=1)
    if grid and cell >= 6:
        big[::cell, :] = (big[::cell, :] * 0.85).astype(np.uint8)
        big[:, ::cell] = (big[:, ::cell] * 0.85).astype(np.uint8)
    return big


def view_corners(x: float, y: float, theta: float) -> list[tuple[float, float]]:
    """The four corners of an agent's 200 x 200 view square in screen pixels."""
    c, s = math.cos(math.radians(theta)), math.sin(math.radians(theta))
    corners = []
    for fwd, side in (
        (-VIEW_BACK, -VISIBILITY / 2),
        (VISIBILITY - VIEW_BACK, -VISIBILITY / 2),
        (VISIBILITY - VIEW_BACK, VISIBILITY / 2),
        (-VIEW_BACK, VISIBILITY / 2),
    ):
        corners.append((x + fwd * c - side * s, y + fwd * s + side * c))
    return corners


def draw_state(
    pos: np.ndarray,
    theta: np.ndarray,
    energy: np.ndarray | None = None,
    step: int | None = None,
    scale: float = 1.0,
    views: bool = True,
) -> np.ndarray:
    """One state of the game as an RGB array (700 scale, 700 scale, 3).

    pos (2, 2) agent centres, theta (2,) headings in degrees, energy (2,) for the bars.
    """
    pos, theta = np.asarray(pos, float), np.asarray(theta, float)
    size = int(round(BOARD * scale))
    k = 2 * size / BOARD  # draw at twice the size, then shrink: smooth edges
    img = Image.new("RGB", (2 * size, 2 * size), WHITE)
    d = ImageDraw.Draw(img)

    def circle(cx, cy, r, width=0, outline=None, fill=None):
        box = [(cx - r) * k, (cy - r) * k, (cx + r) * k, (cy + r) * k]
        d.ellipse(box, fill=fill, outline=outline, width=max(1, round(width * k)))

    cx, cy = RING_CENTRE
    for (x0, y0), (x1, y1) in LINES:
        d.line([x0 * k, y0 * k, x1 * k, y1 * k], fill=GREY, width=max(1, round(3 * k)))
    circle(cx, cy, INNER_RADIUS, width=3, outline=GREY)
    circle(cx, cy, RING_RADIUS, width=3, outline=GREEN)
    for i in (0, 1):
        if views:
            pts = [(px * k, py * k) for px, py in view_corners(*pos[i], theta[i])]
            d.line(pts + pts[:1], fill=PLAYER_RGB[i], width=max(1, round(2 * k)))
    for i in (0, 1):
        x, y = pos[i]
        circle(x, y, RADIUS, fill=PLAYER_RGB[i], outline=DARK, width=1)
        c, s = math.cos(math.radians(theta[i])), math.sin(math.radians(theta[i]))
        tip = (x + 32 * c, y + 32 * s)
        d.line([x * k, y * k, tip[0] * k, tip[1] * k], fill=DARK, width=max(1, round(3 * k)))
        head = [
            (tip[0] + 8 * c, tip[1] + 8 * s),
            (tip[0] - 6 * s, tip[1] + 6 * c),
            (tip[0] + 6 * s, tip[1] - 6 * c),
        ]
        d.polygon([(hx * k, hy * k) for hx, hy in head], fill=DARK)
    if energy is not None:
        for i, e in enumerate(np.asarray(energy, float)):
            x0, y0 = (30 + 360 * i) * k, 20 * k
            width = int(280 * k)
            d.rectangle([x0, y0, x0 + width, y0 + 22 * k], outline=DARK, width=max(1, round(2 * k)))
            frac = min(max(e / ENERGY_CAP, 0.0), 1.0)
            if frac > 0:
                d.rectangle([x0, y0, x0 + int(width * frac), y0 + 22 * k], fill=PLAYER_RGB[i])
            label = f"player {i} energy {e:.0f}"
            # large enough to read from the back row once the picture is shrunk to a column
            d.text((x0, y0 + 26 * k), label, fill=DARK, font_size=max(8, round(30 * k)))
    if step is not None:
        d.text((30 * k, 650 * k), f"step {step}", fill=DARK, font_size=max(8, round(32 * k)))
    return np.asarray(img.resize((size, size), Image.LANCZOS))


def match_frames(
    pos: np.ndarray,
    theta: np.ndarray,
    energy: np.ndarray | None = None,
    scale: float = 0.6,
    every: int = 1,
) -> list[np.ndarray]:
    """Frames of a recorded match: pos (T, 2, 2), theta (T, 2), energy (T, 2); every k-th state."""
    frames = []
    for t in range(0, len(pos), every):
        e = None if energy is None else energy[t]
        frames.append(draw_state(pos[t], theta[t], e, step=t, scale=scale))
    return frames


def png(picture: np.ndarray) -> bytes:
    """A drawn picture (H, W, 3) uint8 as PNG bytes: lossless, small for flat colours."""
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="PNG")
    return buf.getvalue()


def match_gif(
    pos: np.ndarray,
    theta: np.ndarray,
    energy: np.ndarray | None = None,
    scale: float = 0.6,
    every: int = 1,
    fps: float = 10.0,
) -> bytes:
    """A recorded match as an animated GIF (bytes), one frame per kept state, looping."""
    frames = [Image.fromarray(f) for f in match_frames(pos, theta, energy, scale, every)]
    buf = io.BytesIO()
    frames[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=int(round(1000 / fps)),
        loop=0,
        disposal=2,
    )
    return buf.getvalue()
