"""Exported submissions played through the Jidi interface (JidiWrestling), one game at a time.

The check that what students upload plays as well as the network did in the fast game:
unzip a submission, import its submission.py under its own name, and let `my_controller`
play from randomised openings (both act at random for the first 0-`opening` steps).
"""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.wrestling.jidi import JidiWrestling
from core.wrestling.rules import FORCE_RANGE, MAX_STEPS, TURN_RANGE

Controller = Callable[..., list]


def load_controller(submission: bytes, folder: Path, name: str) -> Controller:
    """Unzip `submission` into folder/name and import its my_controller (module `name`)."""
    target = Path(folder) / name
    with zipfile.ZipFile(io.BytesIO(submission)) as zf:
        zf.extractall(target)
    spec = importlib.util.spec_from_file_location(name, target / "submission.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.my_controller


def random_controller(seed: int = 0) -> Controller:
    """Jidi's random agent: uniform force and turn."""
    rng = np.random.default_rng(seed)

    def act(observation, action_space=None, is_act_continuous=True):
        return [[float(rng.uniform(*FORCE_RANGE))], [float(rng.uniform(*TURN_RANGE))]]

    return act


def still_controller(observation, action_space=None, is_act_continuous=True) -> list:
    """Stands still: no force, no turn."""
    return [[0.0], [0.0]]


def play(ours: Controller, theirs: Controller, games: int, seed: int = 0, opening: int = 10):
    """`ours` against `theirs`, `games` games on each side; {side: (wins, draws, losses)}."""
    rng = np.random.default_rng(seed)
    out = {}
    for side in (0, 1):
        w = d = lost = 0
        for _ in range(games):
            game = JidiWrestling()
            observes = game.all_observes
            k = int(rng.integers(0, opening + 1))
            for t in range(MAX_STEPS):
                if t < k:
                    joint = [
                        [[float(rng.uniform(*FORCE_RANGE))], [float(rng.uniform(*TURN_RANGE))]]
                        for _ in range(2)
                    ]
                else:
                    ctrl = (ours, theirs) if side == 0 else (theirs, ours)
                    joint = [
                        ctrl[i](observes[i], game.get_single_action_space(i), True)
                        for i in range(2)
                    ]
                observes, _, done, _, _ = game.step(joint)
                if done:
                    break
            winner = int(game.check_win())
            w, d, lost = w + (winner == side), d + (winner == -1), lost + (winner == 1 - side)
        out[side] = (w, d, lost)
    return out
