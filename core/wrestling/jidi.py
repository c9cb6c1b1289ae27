"""Jidi's interface over our wrestling game, so a Jidi ``my_controller`` plays here unchanged.

Per player, an observation is ``{"obs": {"agent_obs": <40x40 float64>, "id": "team_i"},
"controlled_player_index": i}`` and an action is ``[[force], [turn]]``, as in the competition kit
(``env/olympics_wrestling.py``). ``JidiWrestling.step`` returns, like the kit,
``(all_observes, reward, done, info_before, info_after)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.wrestling.env import WrestlingEnv
from core.wrestling.rules import FORCE_RANGE, TURN_RANGE


@dataclass(frozen=True)
class Box:
    """A continuous action box, like gym's: bounds and shape (no sampling)."""

    low: float
    high: float
    shape: tuple[int, ...] = (1,)

    def contains(self, x) -> bool:
        """True if every entry of x lies in [low, high]."""
        a = np.asarray(x, dtype=float)
        return bool(np.all((a >= self.low) & (a <= self.high)))


def action_space() -> list[Box]:
    """One player's action space: force in [-100, 200], turn in [-30, 30] degrees."""
    return [Box(*FORCE_RANGE), Box(*TURN_RANGE)]


class JidiWrestling:
    """One wrestling match behind Jidi's two-player interface."""

    n_player = 2

    def __init__(self, strict: bool = False):
        self.env = WrestlingEnv(1, strict=strict)
        self.joint_action_space = [action_space() for _ in range(self.n_player)]
        self.all_observes = self.reset()

    def reset(self) -> list[dict]:
        """Start a new match; returns both players' observation dicts."""
        self.env.reset()
        self.done = False
        self.step_cnt = 0
        self.n_return = [0, 0]
        self.all_observes = self._observes(self.env.obs[0])
        return self.all_observes

    def get_single_action_space(self, player_id: int) -> list[Box]:
        """The action space of one player."""
        return self.joint_action_space[player_id]

    def step(self, joint_action) -> tuple[list[dict], list[float], bool, str, str]:
        """Apply [[[f0], [t0]], [[f1], [t1]]]; returns (observes, reward, done, '', '')."""
        if len(joint_action) != self.n_player:
            raise ValueError(f"joint action needs {self.n_player} players, got {len(joint_action)}")
        decoded = np.array(
            [[_first(a[0]), _first(a[1])] for a in joint_action], dtype=np.float64
        ).reshape(1, 2, 2)
        obs, reward, done, info = self.env.step(decoded)
        self.step_cnt += 1
        self.done = bool(done[0])
        if self.done:
            self.n_return = [int(r) for r in reward[0]]
        self.all_observes = self._observes(obs[0])
        return self.all_observes, [float(r) for r in reward[0]], self.done, "", ""

    def check_win(self) -> str:
        """'0' or '1' for the winning player, '-1' for a draw (or a match still running)."""
        w = int(self.env.winner[0])
        return str(w) if w in (0, 1) else "-1"

    @staticmethod
    def _observes(views: np.ndarray) -> list[dict]:
        return [
            {
                "obs": {"agent_obs": views[i].astype(np.float64), "id": f"team_{i}"},
                "controlled_player_index": i,
            }
            for i in range(2)
        ]


def _first(x) -> float:
    """The number inside [x], (x,), array([x]) or x."""
    return float(np.asarray(x, dtype=np.float64).reshape(-1)[0])


Controller = Callable[..., list]


def run_match(controllers: list[Controller], max_steps: int = 500) -> dict:
    """Play one match between two Jidi controllers, like the kit's run_log.py.

    Returns {"winner": '0' | '1' | '-1', "steps": int, "reward": [r0, r1]}.
    """
    game = JidiWrestling()
    observes = game.all_observes
    reward = [0.0, 0.0]
    for _ in range(max_steps):
        joint = [
            ctrl(observes[i], game.get_single_action_space(i), True)
            for i, ctrl in enumerate(controllers)
        ]
        observes, reward, done, _, _ = game.step(joint)
        if done:
            break
    return {"winner": game.check_win(), "steps": game.step_cnt, "reward": reward}
