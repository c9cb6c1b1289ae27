"""Behaviour-cloning data in the course's format: a zip of obs_N.npy and actions_N.npy.

Loading is strict: numpy.load(allow_pickle=False), shapes (N, 40, 40) and (N, 2), cell values
in {0, 1, 4, 8, 10}, finite actions inside the game's ranges, bounded sizes. Anything else is
refused with a ValueError that says what is wrong.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

VIEW = 40
CELL_VALUES = (0, 1, 4, 8, 10)
EMPTY, RING, LINES, BLUE, RED = CELL_VALUES
SELF, OPPONENT = RED, BLUE  # after colour normalisation, self is always 10
FORCE_RANGE = (-100.0, 200.0)
TURN_RANGE = (-30.0, 30.0)
MIN_PAIRS = 10
MAX_PAIRS = 50_000
MAX_ZIP_BYTES = 64 * 2**20  # the uploaded file itself
MAX_MEMBER_BYTES = 200 * 2**20  # one uncompressed .npy (the course's obs file is 128 MB)
_OBS_NAME = re.compile(r"(?:.*/)?obs_(\d+)\.npy$")
_ACT_NAME = re.compile(r"(?:.*/)?actions_(\d+)\.npy$")
# The course's handed-out expert data: ../shared/data beside the checkout, or $WRESTLING_COURSE_ZIP.
COURSE_ZIP = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "course_expert_obs_actions.zip"
)
COURSE_ZIP_VARIABLE = "WRESTLING_COURSE_ZIP"


def course_zip() -> Path | None:
    """The course's expert data zip ($WRESTLING_COURSE_ZIP, else COURSE_ZIP), or None if absent."""
    path = Path(os.environ.get(COURSE_ZIP_VARIABLE) or COURSE_ZIP)
    return path if path.is_file() else None


@dataclass
class Dataset:
    """N observation/action pairs, observations uint8 with self = 10."""

    obs: np.ndarray  # (N, 40, 40) uint8
    actions: np.ndarray  # (N, 2) float32: force, turn
    episode: np.ndarray  # (N,) int64 episode id of each pair (contiguous runs)
    pos: np.ndarray | None = None  # (N, 2) where the recorded player stood, when known

    def __len__(self) -> int:
        return len(self.obs)


def normalise_colours(obs: np.ndarray, player: int | np.ndarray) -> np.ndarray:
    """Swap player colours where `player` is 1 so that self is always 10 (red)."""
    obs = np.asarray(obs)
    swap = np.asarray(player).astype(bool)
    swap = swap.reshape(swap.shape + (1,) * (obs.ndim - swap.ndim))
    swapped = np.where(obs == RED, BLUE, np.where(obs == BLUE, RED, obs)).astype(obs.dtype)
    return np.where(swap, swapped, obs)


def step_in_episode(episode: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each contiguous run of equal episode ids."""
    episode = np.asarray(episode)
    starts = np.r_[True, episode[1:] != episode[:-1]]
    idx = np.arange(len(episode))
    return idx - np.maximum.accumulate(np.where(starts, idx, 0))


def episode_ids(obs: np.ndarray) -> np.ndarray:
    """Episode id per row, a new episode wherever the first row's (reset) view reappears."""
    obs = np.asarray(obs)
    starts = np.all(obs.reshape(len(obs), -1) == obs[0].reshape(-1), axis=1)
    starts[0] = True
    return np.cumsum(starts) - 1


def _load_npy(raw: bytes, name: str) -> np.ndarray:
    try:
        arr = np.load(io.BytesIO(raw), allow_pickle=False)
    except ValueError as e:
        raise ValueError(f"{name} is not a plain .npy array (pickled or object data): {e}") from e
    except Exception as e:  # noqa: BLE001 - any parse failure is a refusal
        raise ValueError(f"{name} is not a readable .npy file: {e}") from e
    if not isinstance(arr, np.ndarray):
        raise ValueError(f"{name} is not a single .npy array")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} has dtype {arr.dtype}; expected plain numbers")
    return arr


def _member(zf: zipfile.ZipFile, pattern: re.Pattern, what: str) -> tuple[zipfile.ZipInfo, int]:
    hits = [(i, m) for i in zf.infolist() if (m := pattern.match(i.filename))]
    hits = [(i, m) for i, m in hits if not i.filename.startswith("__MACOSX/")]
    if not hits:
        raise ValueError(f"the zip has no {what}_N.npy member")
    if len(hits) > 1:
        raise ValueError(f"the zip has {len(hits)} {what}_N.npy members; expected one")
    info, match = hits[0]
    if info.file_size > MAX_MEMBER_BYTES:
        raise ValueError(
            f"{info.filename} unpacks to {info.file_size / 2**20:.0f} MB; "
            f"the limit is {MAX_MEMBER_BYTES / 2**20:.0f} MB"
        )
    return info, int(match.group(1))


def validate(obs: np.ndarray, actions: np.ndarray) -> None:
    """Raise ValueError unless obs (N,40,40) and actions (N,2) are valid game data."""
    if obs.ndim != 3 or obs.shape[1:] != (VIEW, VIEW):
        raise ValueError(f"observations have shape {obs.shape}; expected (N, 40, 40)")
    if actions.ndim != 2 or actions.shape[1] != 2:
        raise ValueError(f"actions have shape {actions.shape}; expected (N, 2)")
    if len(obs) != len(actions):
        raise ValueError(f"{len(obs)} observations but {len(actions)} actions")
    if not MIN_PAIRS <= len(obs) <= MAX_PAIRS:
        raise ValueError(f"{len(obs)} pairs; expected between {MIN_PAIRS} and {MAX_PAIRS}")
    bad = ~np.isin(obs, CELL_VALUES)
    if bad.any():
        odd = np.unique(obs[bad])[:5]
        raise ValueError(f"observations hold values {odd.tolist()}; allowed: {list(CELL_VALUES)}")
    if not np.isfinite(actions).all():
        raise ValueError("actions contain NaN or infinite values")
    for col, name, (lo, hi) in ((0, "force", FORCE_RANGE), (1, "turn", TURN_RANGE)):
        a = actions[:, col]
        if a.min() < lo or a.max() > hi:
            raise ValueError(
                f"{name} ranges over [{a.min():g}, {a.max():g}]; allowed [{lo:g}, {hi:g}]"
            )


def load_zip(source: bytes | str | Path) -> Dataset:
    """Load and validate a course-format zip (bytes or a path); ValueError if refused."""
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else bytes(source)
    if len(raw) > MAX_ZIP_BYTES:
        raise ValueError(
            f"the file is {len(raw) / 2**20:.0f} MB; the limit is {MAX_ZIP_BYTES / 2**20:.0f} MB"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as e:
        raise ValueError("not a zip file") from e
    with zf:
        o_info, n_obs = _member(zf, _OBS_NAME, "obs")
        a_info, n_act = _member(zf, _ACT_NAME, "actions")
        if n_obs != n_act:
            raise ValueError(f"obs_{n_obs}.npy and actions_{n_act}.npy disagree on N")
        try:
            obs = _load_npy(zf.read(o_info), o_info.filename)
            actions = _load_npy(zf.read(a_info), a_info.filename)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            raise ValueError(f"the zip is damaged: {e}") from e
    if len(obs) != n_obs:
        raise ValueError(f"{o_info.filename} holds {len(obs)} rows, not {n_obs}")
    validate(obs, actions)
    obs8 = obs.astype(np.uint8)
    return Dataset(obs8, actions.astype(np.float32), episode_ids(obs8))


def save_zip(data: Dataset, dtype: str = "float64") -> bytes:
    """The dataset as a course-format zip (obs and actions as float64 like the course's)."""
    n = len(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, arr in ((f"obs_{n}.npy", data.obs), (f"actions_{n}.npy", data.actions)):
            member = io.BytesIO()
            np.save(member, np.asarray(arr, dtype=dtype), allow_pickle=False)
            zf.writestr(name, member.getvalue())
    return buf.getvalue()


def split_by_episode(
    data: Dataset, val_fraction: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, validation) with whole episodes held out, chosen at random."""
    eps = np.unique(data.episode)
    rng = np.random.default_rng(seed)
    n_val = int(round(len(eps) * val_fraction))
    if len(eps) < 2 or n_val == 0:  # one long run: hold out its tail instead
        cut = int(len(data) * (1 - val_fraction))
        idx = np.arange(len(data))
        return idx[:cut], idx[cut:]
    val_eps = rng.choice(eps, size=min(n_val, len(eps) - 1), replace=False)
    is_val = np.isin(data.episode, val_eps)
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)
