"""Frame stacking: a policy that sees its previous view beside the current one sees speed.

One view shows where things are, not how fast they move; two consecutive views show both. The
rule is the same wherever a two-frame policy acts (matches, DAgger's rollouts, the expert's
data, the exported Jidi submission): a player's previous view is the view it acted on at the
step before; on its first action in a game, and on the first after a random opening it did not
play, the previous view is the current one (nothing moves at the reset, so "no motion" is exact
there).

    memory = LastViews(n_games)
    prev = memory.previous(obs, t, rows)    # (n, 2, 40, 40): read rows' entries, beside obs
    ... the policies act on obs and prev ...
    memory.remember(obs, t, rows_that_acted)
"""

from __future__ import annotations

import numpy as np

from core.wrestling.rules import OBS_SIZE


class LastViews:
    """The views each game's players last acted on, and the step they acted at."""

    def __init__(self, n_games: int):
        self.views = np.zeros((n_games, 2, OBS_SIZE, OBS_SIZE), np.uint8)
        self.step = np.full(n_games, -2)  # -2: no action in this game yet

    def previous(self, obs: np.ndarray, t: int, rows: np.ndarray) -> np.ndarray:
        """The previous views (n, 2, 40, 40) of games `rows`, whose current views obs are at step t.

        Only those rows are brought up to date (the cost is theirs; finished games cost nothing);
        the array is the memory's own: read it before the next remember().
        """
        fresh = rows[self.step[rows] != t - 1]  # no action at t - 1: a new game, or an opening
        self.views[fresh] = obs[fresh]
        return self.views

    def remember(self, obs: np.ndarray, t: int, rows: np.ndarray) -> None:
        """The players of games `rows` acted on obs[rows] at step t."""
        self.views[rows] = obs[rows]
        self.step[rows] = t

    def forget(self, rows: np.ndarray) -> None:
        """Games `rows` start again (an auto-reset): their next previous view is the current one."""
        self.step[rows] = -2
