"""Pictures of the wrestling game: shapes, colours where the agents are, the GIF, the view."""

import io

import numpy as np
from PIL import Image

from core.wrestling.env import WrestlingEnv
from core.wrestling.fast.views import observe
from core.wrestling.render import (
    PLAYER_RGB,
    draw_state,
    draw_view,
    match_frames,
    match_gif,
    view_legend,
)


def test_state_image_has_agents_in_their_colours():
    pos = np.array([[250.0, 300.0], [380.0, 420.0]])
    theta = np.array([0.0, 135.0])
    img = draw_state(pos, theta, np.array([1000.0, 250.0]), step=3, scale=0.5)
    assert img.shape == (350, 350, 3) and img.dtype == np.uint8
    for (x, y), th, rgb in zip(pos, np.radians(theta), PLAYER_RGB, strict=True):
        # 10 px behind the centre (away from the heading arrow) is pure agent colour.
        bx, by = x - 10 * np.cos(th), y - 10 * np.sin(th)
        px = img[int(round(by * 0.5)), int(round(bx * 0.5))]
        assert np.abs(px.astype(int) - rgb).max() <= 12, (px, rgb)
    assert img[0:5].min() == 255  # white margin above the energy bars


def test_energy_bar_length_follows_energy():
    full = draw_state(
        np.array([[250.0, 300.0], [350.0, 400.0]]), np.zeros(2), np.array([1000.0, 0.0])
    )
    # Bar of player 0 is filled with its colour, player 1's (energy 0) stays white inside.
    assert np.abs(full[30, 200].astype(int) - PLAYER_RGB[0]).max() <= 10
    assert full[30, 560].tolist() == [255, 255, 255]


def test_match_gif_decodes_with_one_frame_per_state():
    env = WrestlingEnv(1)
    env.reset()
    pos, theta, energy = [env.pos[0].copy()], [env.theta[0].copy()], [env.energy[0].copy()]
    for _ in range(6):
        env.step([[150.0, 10.0], [120.0, -5.0]])
        pos.append(env.pos[0].copy())
        theta.append(env.theta[0].copy())
        energy.append(env.energy[0].copy())
    pos, theta, energy = np.array(pos), np.array(theta), np.array(energy)
    frames = match_frames(pos, theta, energy, scale=0.3)
    assert len(frames) == 7 and frames[0].shape == (210, 210, 3)
    gif = match_gif(pos, theta, energy, scale=0.3, fps=5)
    im = Image.open(io.BytesIO(gif))
    assert im.format == "GIF" and im.n_frames == 7
    assert im.info["duration"] == 200
    assert len(match_frames(pos, theta, energy, scale=0.3, every=3)) == 3


def test_view_drawn_large_with_its_legend():
    view = observe(np.array([[[300.0, 200.0], [300.0, 500.0]]]), np.array([[90.0, -90.0]]))[0, 0]
    big = draw_view(view, cell=10, grid=False)
    assert big.shape == (400, 400, 3)
    legend = {value: rgb for value, _, rgb in view_legend()}
    assert set(legend) == {0, 1, 4, 8, 10} and len(set(legend.values())) == 5
    for value in np.unique(view):  # every colour in the view is in the legend, where it is drawn
        i, j = np.argwhere(view == value)[0]
        assert tuple(big[10 * i + 5, 10 * j + 5]) == legend[value]
    assert tuple(big[10 * 32 + 5, 10 * 20 + 5]) == PLAYER_RGB[0]  # self, player 0


def test_the_arena_labels_are_drawn_in_the_readers_language():

    pos, theta, energy = np.array([[250.0, 300.0], [380.0, 420.0]]), np.zeros(2), np.full(2, 900.0)
    chinese = {"player {i} energy {energy:.0f}": "玩家 {i} 能量 {energy:.0f}"}.get
    english = draw_state(pos, theta, energy, step=3, scale=0.5)
    translated = draw_state(pos, theta, energy, step=3, scale=0.5, gettext=lambda m: chinese(m, m))
    labels = slice(20, 45)  # the rows of the energy labels under the bars (half scale)
    assert (english[labels] != translated[labels]).any()  # the label changed
    assert (english[100:] == translated[100:]).all()  # the arena and "step 3" did not
    assert (translated[labels] < 128).any()  # and was drawn (dark pixels), not left blank


def test_without_a_chinese_font_the_arena_keeps_its_english_labels(monkeypatch):
    from core.wrestling import render

    monkeypatch.setattr(render, "CJK_FONTS", ())
    render._cjk_font.cache_clear()
    try:
        pos, theta = np.array([[250.0, 300.0], [380.0, 420.0]]), np.zeros(2)
        english = draw_state(pos, theta, np.full(2, 900.0), step=3, scale=0.5)
        zh = draw_state(pos, theta, np.full(2, 900.0), step=3, scale=0.5, gettext=lambda m: "步")
        assert (english == zh).all()  # never boxes for missing glyphs
    finally:
        render._cjk_font.cache_clear()
