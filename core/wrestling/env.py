"""WrestlingEnv: many Olympics Wrestling matches stepped together, with reset() and step().

The game itself is in rules.py (read that to learn it); this class keeps the state of n matches,
checks actions, applies the rules and returns both players' views, made by the fast engine in
fast/ (tested cell for cell against rules.observe_dense and the original's recordings).

    env = WrestlingEnv(n_envs=8)
    obs = env.reset()                               # (8, 2, 40, 40) uint8: both players' views
    obs, reward, done, info = env.step(actions)     # actions (8, 2, 2): [force, turn] per player

Arrays returned by reset() and step() are the caller's: the env never writes into them, unless the
caller passes ``reuse=True`` to the next step(), saying it no longer uses the arrays the previous
call returned (obs and info["final_obs"]); that step may then write into them instead of new
arrays, which saves page faults in long batched loops.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from core.wrestling.fast.pool import ObsPool
from core.wrestling.fast.single import advance_one
from core.wrestling.fast.views import observe, observe_into
from core.wrestling.rules import (
    FORCE_RANGE,
    OBS_SIZE,
    TURN_RANGE,
    WrestlingState,
    advance,
    initial_state,
)

_FIELDS = ("pos", "vel", "theta", "energy", "steps", "out", "done", "winner")
_RESET_OBS = observe(initial_state(1).pos, initial_state(1).theta)[0]


class WrestlingEnv:
    """n_envs wrestling matches stepped together.

    The state is public, one row per match (see rules.py): pos (n, 2, 2), vel (n, 2, 2), theta
    (n, 2), energy (n, 2), steps (n,), out (n, 2), done (n,), winner (n,): 0 or 1 for the winning
    player, -1 for a draw (both out in the same step, or the 500-step limit), -2 while running.
    Actions are (n, 2, 2) = [force, turn] per player, force in [-100, 200], turn in [-30, 30]
    degrees. Out-of-range actions are clipped (default) or, with ``strict=True``, raise
    ``ValueError`` as the original's asserts do (only for agents that are not fatigued, like the
    original). A finished match stays frozen until reset, or restarts at once with auto_reset.
    """

    def __init__(self, n_envs: int = 1, auto_reset: bool = False, strict: bool = False):
        if n_envs < 1:
            raise ValueError("n_envs must be at least 1")
        self.n_envs = int(n_envs)
        self.auto_reset = bool(auto_reset)
        self.strict = bool(strict)
        self._set(initial_state(self.n_envs))
        self._obs = observe(self.pos, self.theta)
        self._pool = ObsPool((self.n_envs, 2, OBS_SIZE, OBS_SIZE))
        self._returned: tuple[np.ndarray, ...] = ()  # what the last reset()/step() handed out

    # state -------------------------------------------------------------------------------------
    def _set(self, st: WrestlingState) -> None:
        self.pos, self.vel, self.theta, self.energy = st.pos, st.vel, st.theta, st.energy
        self.steps, self.out, self.done, self.winner = st.steps, st.out, st.done, st.winner

    def _state(self) -> WrestlingState:
        """The live state (no copy)."""
        return WrestlingState(
            self.pos,
            self.vel,
            self.theta,
            self.energy,
            self.steps,
            self.out,
            self.done,
            self.winner,
        )

    @property
    def fatigued(self) -> np.ndarray:
        """(n, 2) agents out of energy: no force, no turning, for the rest of the episode."""
        return self.energy < 0

    @property
    def obs(self) -> np.ndarray:
        """The current observation (n, 2, 40, 40) uint8 (a copy)."""
        return self._obs.copy()

    def get_state(self) -> WrestlingState:
        """A snapshot (copy) of the whole batch, e.g. for rendering or to restore later."""
        return self._state().copy()

    def set_state(self, state: WrestlingState, mask: np.ndarray | None = None) -> np.ndarray:
        """Load a state (whole batch, or only rows where mask is True); returns the observation."""
        if mask is None:
            if state.pos.shape[0] != self.n_envs:
                raise ValueError("state has a different number of environments")
            self._set(state.copy())
        else:
            mask = np.asarray(mask, bool)
            for name in _FIELDS:
                src = getattr(state, name)
                getattr(self, name)[mask] = src if src.shape[0] == mask.sum() else src[mask]
        self._obs = observe(self.pos, self.theta)
        self._returned = (self._obs.copy(),)
        return self._returned[0]

    def reset(self, mask: np.ndarray | None = None, reuse: bool = False) -> np.ndarray:
        """Reset every environment (or those where mask is True); returns obs (n, 2, 40, 40).

        reuse=True, as in step(): the caller no longer uses the arrays the previous call returned.
        """
        if reuse:
            self._pool.give_back(self._returned)
        if mask is None:
            self._set(initial_state(self.n_envs))
            self._obs = np.broadcast_to(_RESET_OBS, (self.n_envs, 2, OBS_SIZE, OBS_SIZE)).copy()
        else:
            rows = np.flatnonzero(np.asarray(mask, bool))
            self._reset_state(rows)
            self._obs = self._pool.take(self._obs) if reuse else self._obs.copy()
            self._obs[rows] = _RESET_OBS
        self._returned = (self._obs,)
        return self._obs

    def _reset_state(self, rows: np.ndarray) -> None:
        st = initial_state(rows.size)
        for name in _FIELDS:
            getattr(self, name)[rows] = getattr(st, name)

    # actions -----------------------------------------------------------------------------------
    def _check_actions(self, actions, active: np.ndarray) -> np.ndarray:
        a = np.asarray(actions, dtype=np.float64)
        if a.shape == (2, 2) and self.n_envs == 1:
            a = a[None]
        if a.shape != (self.n_envs, 2, 2):
            raise ValueError(f"actions must have shape ({self.n_envs}, 2, 2), got {a.shape}")
        lo = np.array([FORCE_RANGE[0], TURN_RANGE[0]])
        hi = np.array([FORCE_RANGE[1], TURN_RANGE[1]])
        bad = ~((a >= lo) & (a <= hi))  # NaN counts as out of range
        if bad.any():
            if self.strict:
                checked = bad & active[:, None, None] & ~self.fatigued[..., None]
                if checked.any():
                    raise ValueError(
                        "actions out of range: force must lie in [-100, 200], turn in [-30, 30]"
                    )
            a = np.clip(np.nan_to_num(a, nan=0.0), lo, hi)
        return a

    # step --------------------------------------------------------------------------------------
    def step(
        self, actions: npt.ArrayLike, reuse: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
        """Advance every running match by one step; returns (obs, reward, done, info).

        obs (n, 2, 40, 40) uint8, reward (n, 2), done (n,) bool; info: "winner" (n,) (0, 1, -1 for
        a draw, -2 while running), "length" (n,) steps of the episode, "final_obs" (n, 2, 40, 40)
        the observation this step produced (before any auto-reset), "active" (n,) bool: which
        environments were stepped (finished ones are frozen until reset without auto_reset).
        reuse=True: the caller no longer uses the arrays the previous reset() or step() returned
        (no name, view or tensor of them), so this step may write its views into them.
        """
        active = ~self.done
        a = self._check_actions(actions, active)
        if reuse:
            self._pool.give_back(self._returned)
        self._returned = ()
        if active.all():
            new, reward = _advance(self._state(), a)
            self._set(new)
            if self.n_envs == 1:
                obs = observe(self.pos, self.theta)
            else:
                obs = observe_into(self._pool.take(), self.pos, self.theta)
        else:
            rows = np.flatnonzero(active)
            new, part_reward = _advance(self._state()[rows], a[rows])
            for name in _FIELDS:
                getattr(self, name)[rows] = getattr(new, name)
            reward = np.zeros((self.n_envs, 2))
            reward[rows] = part_reward
            obs = self._pool.take(self._obs)
            obs[rows] = observe(new.pos, new.theta)
        done = self.done.copy()
        info = {"winner": self.winner.copy(), "length": self.steps.copy(), "final_obs": obs}
        info["active"] = active
        if self.auto_reset and done.any():
            finished = np.flatnonzero(done)
            obs = self._pool.take(obs)
            obs[finished] = _RESET_OBS
            self._reset_state(finished)
        self._obs = obs
        self._returned = (obs, info["final_obs"])
        return obs, reward, done, info


def _advance(state: WrestlingState, actions: np.ndarray) -> tuple[WrestlingState, np.ndarray]:
    """rules.advance, by the plain-Python path for a single match (the same numbers, faster)."""
    return advance_one(state, actions) if state.steps.shape[0] == 1 else advance(state, actions)
