"""Pictures of the wrestling game with Pillow: the arena, a whole match as a GIF, the 40 x 40 view.

Colours follow the original engine's viewer: player 0 light red, player 1 blue, the ring green,
the centre lines and inner circle grey, on white.
"""

from __future__ import annotations

import functools
import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.i18n import N_, Translate, untranslated
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
# Fonts with Chinese glyphs for the labels drawn into the arena (Debian's fonts-noto-cjk first)
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)


@functools.lru_cache(maxsize=16)
def _cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    """A font that draws Chinese at `size` px (its simplified-Chinese face), or None."""
    for path in CJK_FONTS:
        for index in range(10):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break  # no such file, or no face with this index
            if "SC" in " ".join(font.getname()) or index == 0 and "CJK" not in font.getname()[0]:
                return font
    return None


def _label(d: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int, english: str):
    """Draw `text`; non-ASCII text needs a CJK font, else the English original is drawn."""
    if text.isascii():
        d.text(xy, text, fill=DARK, font_size=size)
    elif (font := _cjk_font(size)) is not None:
        d.text(xy, text, fill=DARK, font=font)
    else:
        d.text(xy, english, fill=DARK, font_size=size)


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
    gettext: Translate = untranslated,
) -> np.ndarray:
    """One state of the game as an RGB array (700 scale, 700 scale, 3).

    pos (2, 2) agent centres, theta (2,) headings in degrees, energy (2,) for the bars.
    """
    _ = gettext
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
            energy_label = N_("player {i} energy {energy:.0f}")
            label = _(energy_label).format(i=i, energy=e)
            english = energy_label.format(i=i, energy=e)
            # large enough to read from the back row once the picture is shrunk to a column
            _label(d, (x0, y0 + 26 * k), label, max(8, round(30 * k)), english)
    if step is not None:
        step_label = N_("step {step}")
        text, english = _(step_label).format(step=step), step_label.format(step=step)
        _label(d, (30 * k, 650 * k), text, max(8, round(32 * k)), english)
    return np.asarray(img.resize((size, size), Image.LANCZOS))


def match_frames(
    pos: np.ndarray,
    theta: np.ndarray,
    energy: np.ndarray | None = None,
    scale: float = 0.6,
    every: int = 1,
    gettext: Translate = untranslated,
) -> list[np.ndarray]:
    """Frames of a recorded match: pos (T, 2, 2), theta (T, 2), energy (T, 2); every k-th state."""
    frames = []
    for t in range(0, len(pos), every):
        e = None if energy is None else energy[t]
        frames.append(draw_state(pos[t], theta[t], e, step=t, scale=scale, gettext=gettext))
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
    gettext: Translate = untranslated,
) -> bytes:
    """A recorded match as an animated GIF (bytes), one frame per kept state, looping."""
    drawn = match_frames(pos, theta, energy, scale, every, gettext=gettext)
    frames = [Image.fromarray(f) for f in drawn]
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
