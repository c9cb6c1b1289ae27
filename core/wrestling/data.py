"""Behaviour-cloning data in the course's format: a zip of obs_N.npy and actions_N.npy.

Loading is strict and bounded: each member is unpacked a bounded piece at a time and never
past its declared size, whatever its compression (core/wrestling/zipmember.py). Each .npy
member's header (shape, dtype, order) is read and checked first, with the member's declared
unpacked size, so an upload that declares too many pairs is refused before any of its data is
read; nothing is ever unpickled. Then the data are
read in chunks, each checked (cell values in {0, 1, 4, 8, 10}, finite actions inside the game's
ranges) and stored compactly (observations uint8, actions float32). Anything else is refused
with a one-line ValueError that says what is wrong, in the language of the `gettext` given
(the reasons are English templates marked ``N_`` with their values kept apart: `Refusal`).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.i18n import N_, Translate, untranslated
from core.wrestling.refusal import Refusal
from core.wrestling.zipmember import BoundedMember

VIEW = 40
CELL_VALUES = (0, 1, 4, 8, 10)
EMPTY, RING, LINES, BLUE, RED = CELL_VALUES
SELF, OPPONENT = RED, BLUE  # after colour normalisation, self is always 10
FORCE_RANGE = (-100.0, 200.0)
TURN_RANGE = (-30.0, 30.0)
MIN_PAIRS = 10
MAX_PAIRS = 20_000  # the course's 10,000 pairs fit with room
MAX_ZIP_BYTES = 64 * 2**20  # the uploaded file itself
MAX_MEMBER_BYTES = 260 * 2**20  # one unpacked .npy: 20,000 float64 views are 256 MB
_CHUNK_BYTES = 8 * 2**20  # observations are read, checked and narrowed this much at a time
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
    prev: np.ndarray | None = None  # (N, 40, 40) uint8 its previous views (frames.py), if kept

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


def _line(err: BaseException) -> str:
    """An exception as one line of text."""
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else type(err).__name__


def _header(stream, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """A .npy member's shape, Fortran order and dtype, from its header alone (no data read)."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise ValueError(f"format version {version[0]}.{version[1]} is not supported")
    except (ValueError, SyntaxError, TypeError, EOFError) as e:
        why = _line(e)
        raise Refusal(N_("{name} is not a plain .npy file: {why}"), name=name, why=why) from None
    if dtype.hasobject:
        raise Refusal(N_("{name} holds Python objects (pickled data, never loaded)"), name=name)
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in "biuf":
        raise Refusal(
            N_("{name} has dtype {dtype}; expected plain numbers (bool, int, float)"),
            name=name,
            dtype=dtype,
        )
    if any(d < 0 for d in shape):
        raise Refusal(N_("{name} declares the impossible shape {shape}"), name=name, shape=shape)
    return tuple(shape), bool(fortran), dtype


def _check_shapes(
    names: tuple[str, str], obs: tuple[int, ...], actions: tuple[int, ...], n_name: int
) -> int:
    """The number of pairs the two headers declare, or ValueError before any data is read."""
    if len(obs) == 0:
        raise Refusal(
            N_("{name} holds a 0-d array (one number); expected (N, 40, 40)"), name=names[0]
        )
    if len(obs) != 3 or obs[1:] != (VIEW, VIEW):
        raise Refusal(N_("observations have shape {shape}; expected (N, 40, 40)"), shape=obs)
    if len(actions) == 0:
        raise Refusal(N_("actions have a 0-d array (one number); expected (N, 2)"))
    if len(actions) != 2 or actions[1] != 2:
        raise Refusal(N_("actions have shape {shape}; expected (N, 2)"), shape=actions)
    n = obs[0]
    if n != n_name:
        raise Refusal(N_("{name} holds {n} rows, not {n_name}"), name=names[0], n=n, n_name=n_name)
    if n != actions[0]:
        raise Refusal(N_("{n} observations but {m} actions"), n=n, m=actions[0])
    _check_count(n)
    return n


def _check_count(n: int) -> None:
    if not MIN_PAIRS <= n <= MAX_PAIRS:
        raise Refusal(
            N_("{n:,} pairs; expected between {low} and {high:,}"),
            n=n,
            low=MIN_PAIRS,
            high=MAX_PAIRS,
        )


def _check_size(info: zipfile.ZipInfo, header_bytes: int, shape: tuple, dtype: np.dtype) -> int:
    """The data's byte count, checked against the member's declared unpacked size."""
    data_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if info.file_size != header_bytes + data_bytes:
        raise Refusal(
            N_("{name} declares {shape} {dtype} ({declared:,} bytes of data) but unpacks to "
               "{actual:,} bytes"),
            name=info.filename,
            shape=shape,
            dtype=dtype,
            declared=data_bytes,
            actual=info.file_size - header_bytes,
        )  # fmt: skip
    return data_bytes


def _read_exactly(stream, count: int, name: str) -> bytes:
    raw = stream.read(count)
    if len(raw) != count:
        raise Refusal(
            N_("{name} is truncated: {got:,} of {count:,} bytes"),
            name=name,
            got=len(raw),
            count=count,
        )
    return raw


def _read_observations(stream, name: str, shape: tuple, fortran: bool, dtype: np.dtype):
    """(N, 40, 40) uint8, read and checked a chunk at a time (cell values in CELL_VALUES)."""
    stored = shape[::-1] if fortran else shape  # a Fortran-order array is its transpose in C
    out = np.empty(stored, dtype=np.uint8)
    per_row = int(np.prod(stored[1:])) * dtype.itemsize
    step = max(1, _CHUNK_BYTES // max(per_row, 1))
    for start in range(0, stored[0], step):
        rows = min(step, stored[0] - start)
        chunk = np.frombuffer(_read_exactly(stream, rows * per_row, name), dtype=dtype)
        bad = ~np.isin(chunk, CELL_VALUES)
        if bad.any():
            raise _odd_values(chunk[bad])
        out[start : start + rows] = chunk.reshape((rows,) + stored[1:])
    return np.ascontiguousarray(out.transpose()) if fortran else out


def _read_actions(stream, name: str, shape: tuple, fortran: bool, dtype: np.dtype):
    """(N, 2) float64 actions, read whole (at most MAX_PAIRS rows)."""
    count = int(np.prod(shape)) * dtype.itemsize
    flat = np.frombuffer(_read_exactly(stream, count, name), dtype=dtype)
    arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    return arr.astype(np.float64)


def _member(zf: zipfile.ZipFile, pattern: re.Pattern, what: str) -> tuple[zipfile.ZipInfo, int]:
    hits = [(i, m) for i in zf.infolist() if (m := pattern.match(i.filename))]
    hits = [(i, m) for i, m in hits if not i.filename.startswith("__MACOSX/")]
    if not hits:
        raise Refusal(N_("the zip has no {what}_N.npy member"), what=what)
    if len(hits) > 1:
        raise Refusal(
            N_("the zip has {n} {what}_N.npy members; expected one"), n=len(hits), what=what
        )
    info, match = hits[0]
    if info.file_size > MAX_MEMBER_BYTES:
        raise Refusal(
            N_("{name} unpacks to {mb:.0f} MB; the limit is {limit:.0f} MB"),
            name=info.filename,
            mb=info.file_size / 2**20,
            limit=MAX_MEMBER_BYTES / 2**20,
        )
    return info, int(match.group(1))


def _odd_values(bad: np.ndarray) -> Refusal:
    return Refusal(
        N_("observations hold values {odd}; allowed: {allowed}"),
        odd=np.unique(bad)[:5].tolist(),
        allowed=list(CELL_VALUES),
    )


def validate(obs: np.ndarray, actions: np.ndarray) -> None:
    """Raise a Refusal (a ValueError) unless obs (N,40,40) and actions (N,2) are valid game data."""
    if obs.ndim != 3 or obs.shape[1:] != (VIEW, VIEW):
        raise Refusal(N_("observations have shape {shape}; expected (N, 40, 40)"), shape=obs.shape)
    if actions.ndim != 2 or actions.shape[1] != 2:
        raise Refusal(N_("actions have shape {shape}; expected (N, 2)"), shape=actions.shape)
    if len(obs) != len(actions):
        raise Refusal(N_("{n} observations but {m} actions"), n=len(obs), m=len(actions))
    _check_count(len(obs))
    bad = ~np.isin(obs, CELL_VALUES)
    if bad.any():
        raise _odd_values(obs[bad])
    _validate_actions(actions)


# each action's column, its allowed range and the reason it is refused with
_ACTION_RANGES = (
    (0, FORCE_RANGE, N_("force ranges over [{low:g}, {high:g}]; allowed [{lo:g}, {hi:g}]")),
    (1, TURN_RANGE, N_("turn ranges over [{low:g}, {high:g}]; allowed [{lo:g}, {hi:g}]")),
)


def _validate_actions(actions: np.ndarray) -> None:
    if not np.isfinite(actions).all():
        raise Refusal(N_("actions contain NaN or infinite values"))
    for col, (lo, hi), reason in _ACTION_RANGES:
        a = actions[:, col]
        if a.min() < lo or a.max() > hi:
            raise Refusal(reason, low=a.min(), high=a.max(), lo=lo, hi=hi)


def load_zip(source: bytes | str | Path, gettext: Translate = untranslated) -> Dataset:
    """Load and validate a course-format zip (bytes or a path); ValueError (one line, in the
    language of `gettext`) if refused.

    Headers and declared sizes are checked before any data is read; nothing is unpickled.
    """
    try:
        return _load_zip(source)
    except Refusal as e:
        raise ValueError(e.text(gettext)) from None


def _load_zip(source: bytes | str | Path) -> Dataset:
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else memoryview(source)
    if len(raw) > MAX_ZIP_BYTES:
        raise Refusal(
            N_("the file is {mb:.0f} MB; the limit is {limit:.0f} MB"),
            mb=len(raw) / 2**20,
            limit=MAX_ZIP_BYTES / 2**20,
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except Exception as e:  # noqa: BLE001 - whatever zipfile says, it is not a zip we can read
        raise Refusal(N_("not a zip file ({why})"), why=_line(e)) from None
    try:
        with zf:
            o_info, n_obs = _member(zf, _OBS_NAME, "obs")
            a_info, n_act = _member(zf, _ACT_NAME, "actions")
            if n_obs != n_act:
                raise Refusal(N_("obs_{n}.npy and actions_{m}.npy disagree on N"), n=n_obs, m=n_act)
            # each member is unpacked a bounded piece at a time, never past its declared size
            o_stream, a_stream = BoundedMember(raw, o_info), BoundedMember(raw, a_info)
            o_shape, o_fortran, o_dtype = _header(o_stream, o_info.filename)
            a_shape, a_fortran, a_dtype = _header(a_stream, a_info.filename)
            _check_shapes((o_info.filename, a_info.filename), o_shape, a_shape, n_obs)
            _check_size(o_info, o_stream.tell(), o_shape, o_dtype)
            _check_size(a_info, a_stream.tell(), a_shape, a_dtype)
            actions = _read_actions(a_stream, a_info.filename, a_shape, a_fortran, a_dtype)
            a_stream.finish()
            _validate_actions(actions)
            obs = _read_observations(o_stream, o_info.filename, o_shape, o_fortran, o_dtype)
            o_stream.finish()
    except Refusal:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged zip (CRC, zlib, encryption...) is a refusal
        why = _line(e)
        raise Refusal(N_("the zip is damaged or unreadable: {why}"), why=why) from None
    return Dataset(obs, actions.astype(np.float32), episode_ids(obs))


def _write_npy(zf: zipfile.ZipFile, name: str, arr: np.ndarray, dtype: np.dtype) -> None:
    """`arr` as a .npy member of `dtype`, converted and compressed a chunk of rows at a time:
    the float64 copy of 20,000 views (256 MB) is never made whole."""
    arr = np.asarray(arr)
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False}
    per_row = max(1, int(np.prod(arr.shape[1:], dtype=np.int64)) * dtype.itemsize)
    step = max(1, _CHUNK_BYTES // per_row)
    with zf.open(name, "w") as member:
        np.lib.format.write_array_header_1_0(member, header | {"shape": arr.shape})
        for start in range(0, len(arr), step):
            member.write(np.ascontiguousarray(arr[start : start + step], dtype=dtype).data)


def save_zip(data: Dataset, dtype: str = "float64") -> bytes:
    """The dataset as a course-format zip (obs and actions as float64 like the course's).

    Streamed: each member is converted and compressed in chunks, so preparing the zip of the
    largest dataset costs its compressed size (a few MB) and one chunk, not 0.8 GB of copies.
    """
    n, kind = len(data), np.dtype(dtype)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        _write_npy(zf, f"obs_{n}.npy", data.obs, kind)
        _write_npy(zf, f"actions_{n}.npy", data.actions, kind)
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
