"""The course-format zip: round trip, the course's own file, and every kind of bad upload refused."""

import io
import pickle
import re
import zipfile

import numpy as np
import pytest

from core.i18n import catalogue
from core.wrestling import data as D
from tests.conftest import ROOT


def _pairs(n=20, seed=0):
    rng = np.random.default_rng(seed)
    obs = rng.choice(np.array(D.CELL_VALUES), size=(n, 40, 40)).astype(np.float64)
    actions = np.stack([rng.uniform(-100, 200, n), rng.uniform(-30, 30, n)], axis=1)
    return obs, actions


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return buf.getvalue()


def _npy(arr) -> bytes:
    b = io.BytesIO()
    np.save(b, arr, allow_pickle=True)
    return b.getvalue()


def _course_zip(obs, actions, n=None) -> bytes:
    n = len(obs) if n is None else n
    return _zip({f"obs_{n}.npy": _npy(obs), f"actions_{n}.npy": _npy(actions)})


def test_round_trip_keeps_every_value():
    obs, actions = _pairs()
    d = D.load_zip(_course_zip(obs, actions))
    back = D.load_zip(D.save_zip(d))
    np.testing.assert_array_equal(back.obs, obs.astype(np.uint8))
    np.testing.assert_allclose(back.actions, actions, rtol=1e-6)
    with zipfile.ZipFile(io.BytesIO(D.save_zip(d))) as zf:
        assert sorted(zf.namelist()) == ["actions_20.npy", "obs_20.npy"]


def test_the_course_zip_is_found_beside_the_checkout_or_where_the_variable_says(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(D.COURSE_ZIP_VARIABLE, raising=False)
    assert D.COURSE_ZIP.parent == ROOT.parent / "shared" / "data"
    assert D.course_zip() == (D.COURSE_ZIP if D.COURSE_ZIP.is_file() else None)
    elsewhere = tmp_path / "course.zip"
    monkeypatch.setenv(D.COURSE_ZIP_VARIABLE, str(elsewhere))
    assert D.course_zip() is None  # named but absent
    elsewhere.write_bytes(b"")
    assert D.course_zip() == elsewhere


def test_course_data_loads_with_its_240_episodes(course_data_zip):
    d = D.load_zip(course_data_zip)
    assert d.obs.shape == (10000, 40, 40) and d.actions.shape == (10000, 2)
    assert set(np.unique(d.obs)) == {0, 1, 4, 8, 10}
    # every view is player 0's: self (10) sits at rows 28-35, columns 16-23
    assert (d.obs[:, 30:34, 18:22] == 10).all()
    assert d.episode.max() + 1 == 240
    lengths = np.bincount(d.episode)
    assert 30 < lengths.mean() < 50
    tr, va = D.split_by_episode(d, 0.1, seed=0)
    assert len(tr) + len(va) == 10000
    assert not set(d.episode[tr]) & set(d.episode[va]), "no episode on both sides"
    assert len(set(d.episode[va])) == 24


def test_colour_normalisation_swaps_only_the_discs():
    v = np.array([[0, 1, 4, 8, 10]], dtype=np.uint8)
    np.testing.assert_array_equal(D.normalise_colours(v, 1), [[0, 1, 4, 10, 8]])
    np.testing.assert_array_equal(D.normalise_colours(v, 0), v)
    both = np.stack([v, v])
    out = D.normalise_colours(both, np.array([0, 1]))
    np.testing.assert_array_equal(out[0], v)
    np.testing.assert_array_equal(out[1], [[0, 1, 4, 10, 8]])


def _bad_zips():
    obs, actions = _pairs()
    wrong = obs.copy()
    wrong[3, 5, 5] = 7
    nan = actions.copy()
    nan[2, 0] = np.nan
    force = actions.copy()
    force[0, 0] = 250
    turn = actions.copy()
    turn[0, 1] = -31
    obj = np.empty(20, dtype=object)
    pickled = pickle.dumps({"obs": obs})
    return {
        "not a zip": (b"hello, this is no zip", "not a zip"),
        "missing member": (_zip({"obs_20.npy": _npy(obs)}), "no actions_N.npy"),
        "pickle member": (
            _zip({"obs_20.npy": pickled, "actions_20.npy": _npy(actions)}),
            "not a",
        ),
        "object array": (
            _zip({"obs_20.npy": _npy(obj), "actions_20.npy": _npy(actions)}),
            "pickled",
        ),
        "wrong obs shape": (_course_zip(obs[:, :39], actions), r"expected \(N, 40, 40\)"),
        "wrong action shape": (_course_zip(obs, actions[:, :1]), r"expected \(N, 2\)"),
        "length mismatch": (_course_zip(obs, actions[:19]), "20 observations but 19"),
        "name disagrees": (_course_zip(obs, actions, n=30), "not 30"),
        "wrong cell values": (_course_zip(wrong, actions), r"values \[7"),
        "NaN action": (_course_zip(obs, nan), "NaN"),
        "force out of range": (_course_zip(obs, force), "force ranges"),
        "turn out of range": (_course_zip(obs, turn), "turn ranges"),
        "too few pairs": (_course_zip(obs[:3], actions[:3]), "between"),
        "complex dtype": (_course_zip(obs.astype(complex), actions), "dtype"),
        "text dtype": (_course_zip(obs.astype("U2"), actions), "dtype"),
        "structured dtype": (
            _course_zip(np.zeros((20, 40, 40), dtype=[("a", "f4")]), actions),
            "dtype",
        ),
        "0-d arrays": (_course_zip(np.array(0.0), np.array(0.0), n=20), "0-d array"),
        "0-d actions": (_course_zip(obs, np.array(1.0)), r"actions have a 0-d array"),
        "wrong obs ndim": (_course_zip(obs.reshape(20, 1600), actions), r"\(N, 40, 40\)"),
        "wrong action ndim": (_course_zip(obs, actions.reshape(20, 2, 1)), r"\(N, 2\)"),
        "too many pairs": (_declared_zip(20_001, np.uint8), "20,001 pairs; expected between"),
        "truncated member": (
            _zip({"obs_20.npy": _npy(obs)[:-100], "actions_20.npy": _npy(actions)}),
            "unpacks to 255,900 bytes",
        ),
        "damaged stream": (_damaged(_course_zip(obs, actions)), "damaged"),
        "impossible shape": (_with_header(obs, (-20, 40, 40)), "impossible shape"),
        "npy version 9": (
            _zip({"obs_20.npy": b"\x93NUMPY\x09\x00" + _npy(obs)[8:], "actions_20.npy": b""}),
            "not a plain .npy file",
        ),
        "empty member": (_zip({"obs_20.npy": b"", "actions_20.npy": _npy(actions)}), "EOF"),
    }


def _declared_zip(n: int, dtype, obs_rows: int | None = None) -> bytes:
    """A course-format zip of all-zero views declaring n pairs, written in 1 MB pieces (so the
    test itself never holds the views): a few kB of zip for 20,000 pairs, ~80 kB for 50,000."""
    dtype = np.dtype(dtype)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(f"obs_{n}.npy", "w") as f:
            header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False}
            np.lib.format.write_array_header_1_0(f, header | {"shape": (n, 40, 40)})
            left, zeros = n * 1600 * dtype.itemsize, bytes(2**20)
            while left:
                f.write(zeros[: min(left, len(zeros))])
                left -= min(left, len(zeros))
        zf.writestr(f"actions_{n}.npy", _npy(np.zeros((n, 2))))
    return buf.getvalue()


def _damaged(raw: bytes) -> bytes:
    """The zip with a run of bytes inside the first member's compressed data overwritten."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        info = zf.infolist()[0]
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    return raw[:start] + b"\xff" * 64 + raw[start + 64 :]


def _with_header(arr: np.ndarray, shape: tuple) -> bytes:
    """A course zip whose obs member's header declares `shape` over arr's data."""
    b = io.BytesIO()
    header = {"descr": np.lib.format.dtype_to_descr(arr.dtype), "fortran_order": False}
    np.lib.format.write_array_header_1_0(b, header | {"shape": shape})
    b.write(arr.tobytes())
    _, actions = _pairs()
    return _zip({"obs_20.npy": b.getvalue(), "actions_20.npy": _npy(actions)})


@pytest.mark.parametrize("kind", list(_bad_zips()))
def test_each_bad_kind_is_refused_with_a_message(kind):
    raw, message = _bad_zips()[kind]
    with pytest.raises(ValueError, match=message) as info:
        D.load_zip(raw)
    assert "\n" not in str(info.value) and len(str(info.value)) < 250  # one line on the page


def _peak_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # Linux: the peak resident size restarts from the current one


def test_a_zip_declaring_50000_pairs_is_refused_from_its_header_without_allocating():
    # 77 kB of zip whose views unpack to 80 MB; loading them whole once cost ~1 GB
    raw = _declared_zip(50_000, np.uint8)
    assert len(raw) < 100_000
    _reset_peak()
    before = _peak_mb()
    with pytest.raises(ValueError, match="50,000 pairs; expected between 10 and 20,000"):
        D.load_zip(raw)
    assert _peak_mb() - before < 20
    assert D.MAX_PAIRS == 20_000


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_the_largest_allowed_upload_loads_compactly():
    # 20,000 float64 views unpack to 256 MB; they are read in chunks and kept as uint8 (32 MB)
    raw = _declared_zip(D.MAX_PAIRS, np.float64)
    _reset_peak()
    before = _peak_mb()
    d = D.load_zip(raw)
    assert d.obs.shape == (20_000, 40, 40) and d.obs.dtype == np.uint8
    assert d.actions.shape == (20_000, 2) and d.actions.dtype == np.float32
    assert not d.obs.any() and d.episode.max() == 19_999  # every zero view looks like a reset
    assert _peak_mb() - before < 150


def test_fortran_order_and_big_endian_load_like_c_order():
    obs, actions = _pairs()
    expected = D.load_zip(_course_zip(obs, actions))
    for o, a in (
        (np.asfortranarray(obs), np.asfortranarray(actions)),
        (obs.astype(">f8"), actions.astype(">f4")),
        (obs.astype(np.uint8), actions.astype(np.float16).astype(np.float32)),
    ):
        d = D.load_zip(_course_zip(o, a))
        np.testing.assert_array_equal(d.obs, expected.obs)
        np.testing.assert_allclose(d.actions, expected.actions, rtol=1e-3, atol=0.1)
        assert d.obs.flags.c_contiguous and d.obs.dtype == np.uint8


def test_huge_files_are_refused_before_reading(monkeypatch):
    obs, actions = _pairs()
    raw = _course_zip(obs, actions)
    monkeypatch.setattr(D, "MAX_MEMBER_BYTES", 10_000)  # obs member unpacks to 256 kB
    with pytest.raises(ValueError, match="unpacks to"):
        D.load_zip(raw)
    monkeypatch.setattr(D, "MAX_ZIP_BYTES", 1000)
    with pytest.raises(ValueError, match="the limit is"):
        D.load_zip(raw)


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_preparing_the_largest_download_is_streamed():
    import tracemalloc

    # 20,000 views as course-format float64 are 256 MB unpacked; the zip used to be made from
    # a whole float64 copy, its .npy bytes and a copy of those (0.8 GB for one student)
    rng = np.random.default_rng(0)
    obs = np.zeros((D.MAX_PAIRS, 40, 40), np.uint8)
    obs[:, 20, :] = rng.choice(np.array(D.CELL_VALUES, np.uint8), size=(D.MAX_PAIRS, 40))
    actions = rng.uniform(-30, 30, (D.MAX_PAIRS, 2)).astype(np.float32)
    d = D.Dataset(obs, actions, np.arange(D.MAX_PAIRS))
    tracemalloc.start()
    raw = D.save_zip(d)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert peak < 3 * D._CHUNK_BYTES / 2**20 + 2 * len(raw) / 2**20, f"{peak:.0f} MB"
    back = D.load_zip(raw)  # the course's format, read back exactly
    np.testing.assert_array_equal(back.obs, obs)
    np.testing.assert_array_equal(back.actions, actions)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        with zf.open(f"obs_{D.MAX_PAIRS}.npy") as f:
            assert np.lib.format.read_magic(f) == (1, 0)
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    assert (shape, fortran, dtype) == ((D.MAX_PAIRS, 40, 40), False, np.dtype("<f8"))


@pytest.mark.parametrize("kind", list(_bad_zips()))
def test_each_refusal_reads_in_the_language_asked_for(kind):
    raw, _ = _bad_zips()[kind]
    with pytest.raises(ValueError) as english:
        D.load_zip(raw)
    with pytest.raises(ValueError) as chinese:
        D.load_zip(raw, gettext=catalogue("zh").gettext)
    text = str(chinese.value)
    assert text != str(english.value) and "\n" not in text, text  # every reason is translated
    assert re.search(r"[\u4e00-\u9fff]", text), text  # (a library's own words stay English)
