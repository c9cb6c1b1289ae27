"""Zip members unpacked in bounded pieces for every compression method (issue 29, item 2): a
member that lies about its size costs no more memory than an honest one, and is refused."""

import functools
import io
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

from core.wrestling import data as D
from core.wrestling import zipmember
from core.wrestling.zipmember import BoundedMember

METHODS = {
    "stored": zipfile.ZIP_STORED,
    "deflate": zipfile.ZIP_DEFLATED,
    "bzip2": zipfile.ZIP_BZIP2,
    "lzma": zipfile.ZIP_LZMA,
}
SLOW = pytest.mark.slow  # LZMA's seconds: the fast loop keeps the other methods
BOMB_MB = 64  # zeros hidden behind a member that declares 16,128 bytes


def _npy(arr: np.ndarray) -> bytes:
    b = io.BytesIO()
    np.save(b, arr, allow_pickle=False)
    return b.getvalue()


def _zip(members: dict[str, bytes], method: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method, compresslevel=1) as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return buf.getvalue()


def _declare(raw: bytes, name: str, size: int, crc: int) -> bytes:
    """The zip with member `name`'s unpacked size and CRC-32 rewritten in both of its headers
    (the local one and the central directory's), its data left as it was."""
    out = bytearray(raw)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        info = zf.getinfo(name)
    struct.pack_into("<L", out, info.header_offset + 14, crc)  # local header: CRC, sizes
    struct.pack_into("<L", out, info.header_offset + 22, size)
    central = raw.index(b"PK\x01\x02")
    while True:  # find this member's central directory entry
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_len].decode() == name:
            break
        extra, comment = struct.unpack_from("<2H", raw, central + 30)
        central = central + 46 + name_len + extra + comment
    struct.pack_into("<L", out, central + 16, crc)
    struct.pack_into("<L", out, central + 24, size)
    return bytes(out)


@functools.cache
def _bomb(method: int, honest_crc: bool) -> bytes:
    """A course-format zip whose obs member declares (10, 40, 40) uint8 (16,128 bytes) but holds
    BOMB_MB of zeros; its CRC is either the declared bytes' (a zip reader that stops at the
    declared size and trusts the CRC accepts it) or the whole member's (the issue's upload)."""
    header = _npy(np.zeros((10, 40, 40), np.uint8))[:-16000]
    body = header + bytes(BOMB_MB * 2**20)
    declared = len(header) + 16000
    members = {"obs_10.npy": body, "actions_10.npy": _npy(np.zeros((10, 2)))}
    raw = _zip(members, method)
    crc = zlib.crc32(body[:declared]) if honest_crc else zlib.crc32(body)
    return _declare(raw, "obs_10.npy", declared, crc)


def _peak_mb(fn) -> tuple[float, object]:
    """The Python heap's peak growth while fn() runs (MB), and what it returned or raised."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        outcome = fn()
    except ValueError as e:
        outcome = e
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 2**20, outcome


@pytest.mark.parametrize("method", ["deflate", "bzip2", pytest.param("lzma", marks=SLOW)])
@pytest.mark.parametrize("honest_crc", [False, True])
def test_a_member_that_lies_about_its_size_is_refused_without_unpacking_it(method, honest_crc):
    # zipfile unpacked such an LZMA or bzip2 member whole in one call (64 MB here; 1.9 GB
    # from a 0.27 MB upload on the server) before it looked at the declared size or the CRC
    raw = _bomb(METHODS[method], honest_crc)
    assert len(raw) < 400_000
    peak, outcome = _peak_mb(lambda: D.load_zip(raw))
    assert isinstance(outcome, ValueError), outcome
    reason = str(outcome)
    assert "holds more than its declared 16,128 bytes" in reason or "CRC-32" in reason, reason
    assert "\n" not in reason
    assert peak < 8, f"{peak:.1f} MB of Python heap for a member declaring 16 kB"


@pytest.mark.parametrize(
    "method", [m if m != "lzma" else pytest.param(m, marks=SLOW) for m in METHODS]
)
def test_every_method_reads_back_exactly_in_bounded_pieces(method, monkeypatch):
    rng = np.random.default_rng(0)
    payload = rng.integers(0, 4, 3 * 2**20, dtype=np.uint8).tobytes()  # compressible, not trivially
    raw = _zip({"m.bin": payload}, METHODS[method])
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        info = zf.getinfo("m.bin")
    monkeypatch.setattr(zipmember, "_OUT_CHUNK", 256 * 2**10)
    member = BoundedMember(raw, info)
    pieces = []
    if member._d is not None:  # every decompressor call is asked for at most _OUT_CHUNK
        real = member._d.decompress

        def spy(data, limit):
            out = real(data, limit)
            pieces.append((limit, len(out)))
            return out

        member._d.decompress = spy
    got = b"".join(iter(lambda: member.read(1_000_003), b""))
    member.finish()
    assert got == payload and member.tell() == len(payload)
    assert all(limit <= 256 * 2**10 and n <= limit for limit, n in pieces), max(pieces)
    if member._d is not None:
        assert len(pieces) >= len(payload) // (256 * 2**10)


@pytest.mark.parametrize(
    "method", [m if m != "lzma" else pytest.param(m, marks=SLOW) for m in METHODS]
)
def test_course_data_loads_with_every_method(method):
    rng = np.random.default_rng(1)
    obs = rng.choice(np.array(D.CELL_VALUES, np.uint8), size=(12, 40, 40))
    actions = np.stack([rng.uniform(-100, 200, 12), rng.uniform(-30, 30, 12)], axis=1)
    raw = _zip({"obs_12.npy": _npy(obs), "actions_12.npy": _npy(actions)}, METHODS[method])
    d = D.load_zip(raw)
    np.testing.assert_array_equal(d.obs, obs)
    np.testing.assert_allclose(d.actions, actions.astype(np.float32))


def test_short_encrypted_and_unknown_members_are_refused():
    body = bytes(range(256)) * 64
    raw = _zip({"m.bin": body}, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        info = zf.getinfo("m.bin")
    longer = _declare(raw, "m.bin", len(body) + 10, zlib.crc32(body))  # declares more than it has
    with zipfile.ZipFile(io.BytesIO(longer)) as zf:
        member = BoundedMember(longer, zf.getinfo("m.bin"))
    assert len(member.read(10**6)) == len(body)
    with pytest.raises(ValueError, match="truncated"):
        member.finish()
    wrong = _declare(raw, "m.bin", len(body), zlib.crc32(body) ^ 1)
    with zipfile.ZipFile(io.BytesIO(wrong)) as zf:
        member = BoundedMember(wrong, zf.getinfo("m.bin"))
    member.read(10**6)
    with pytest.raises(ValueError, match="CRC-32"):
        member.finish()
    info.flag_bits |= 0x1
    with pytest.raises(ValueError, match="encrypted"):
        BoundedMember(raw, info)
    info.flag_bits &= ~0x1
    info.compress_type = 9  # deflate64
    with pytest.raises(ValueError, match="compression method 9"):
        BoundedMember(raw, info)
