"""One zip member read in bounded pieces, whatever its compression, never past its declared size.

Python's ``zipfile`` hands an LZMA or bzip2 member's compressed bytes to the decompressor without
a bound on the output: a 0.27 MB upload holding 1.9 GB of zeros was all unpacked in one call
(3.9 GB of memory) before its bad CRC was noticed. Here each call to the decompressor asks for
at most ``_OUT_CHUNK`` bytes and is fed at most ``_IN_CHUNK`` compressed bytes; reading stops at
the size the central directory declares, and the member is refused if it holds more, if it
holds less, or if its CRC-32 differs. Stored, deflate, bzip2 and LZMA members are read; any
other method, and encryption, is refused.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zipfile
import zlib

from core.i18n import N_
from core.wrestling.refusal import Refusal

_IN_CHUNK = 64 * 2**10  # compressed bytes handed to the decompressor at a time
_OUT_CHUNK = 1 * 2**20  # the most one decompressor call may produce
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a member's local file header, 30 bytes
_LOCAL_MAGIC = b"PK\x03\x04"
METHODS = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "LZMA",
}


class _Inflate:
    """Deflate with zlib: the unused input is kept as ``unconsumed_tail``."""

    def __init__(self) -> None:
        self._d = zlib.decompressobj(-zlib.MAX_WBITS)
        self._tail = b""

    def needs_input(self) -> bool:
        return not self._tail

    def decompress(self, data: bytes, limit: int) -> bytes:
        out = self._d.decompress(self._tail + data, limit)
        self._tail = self._d.unconsumed_tail
        return out

    def finished(self) -> bool:
        return self._d.eof


class _Buffered:
    """bzip2 or LZMA: the decompressor keeps its own unused input (``needs_input``)."""

    def __init__(self, d) -> None:
        self._d = d

    def needs_input(self) -> bool:
        return self._d.needs_input

    def decompress(self, data: bytes, limit: int) -> bytes:
        if self._d.eof:
            return b""
        return self._d.decompress(data, limit)

    def finished(self) -> bool:
        return self._d.eof


def _lzma_decompressor(head: bytes, declared: int, name: str) -> _Buffered:
    """A zip LZMA member starts with its own 4-byte header and the 5 bytes of LZMA properties.

    The dictionary it declares is capped at the member's declared size: a valid stream never
    looks back further than what it has written, and a 4 GB declared dictionary is memory.
    """
    if len(head) < 9:
        raise Refusal(N_("{name}: its LZMA header is truncated"), name=name)
    (size,) = struct.unpack("<H", head[2:4])
    if size != 5:
        raise Refusal(
            N_("{name}: its LZMA properties are {size} bytes, not 5"), name=name, size=size
        )
    packed, dict_size = head[4], struct.unpack("<I", head[5:9])[0]
    if packed >= 9 * 5 * 5:
        raise Refusal(N_("{name}: its LZMA properties are invalid"), name=name)
    lc, rest = packed % 9, packed // 9
    lp, pb = rest % 5, rest // 5
    dict_size = max(4096, min(dict_size, declared))
    filters = [{"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}]
    return _Buffered(lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters))


class BoundedMember:
    """A file-like reader of one member (``read(n)``, ``tell()``), its output bounded per call.

    ``source`` is the whole zip as bytes (or a memoryview), ``info`` the member's entry from
    its central directory. Call :meth:`finish` after the last read: it checks that the member
    holds exactly its declared size and that its CRC-32 matches.
    """

    def __init__(self, source: bytes | memoryview, info: zipfile.ZipInfo):
        self.name = info.filename
        if info.flag_bits & 0x1:
            raise Refusal(N_("{name} is encrypted"), name=self.name)
        if info.compress_type not in METHODS:
            raise Refusal(
                N_("{name} uses compression method {method}; accepted: {accepted}"),
                name=self.name,
                method=info.compress_type,
                accepted=", ".join(METHODS.values()),
            )
        self._view = memoryview(source)
        start = info.header_offset
        header = bytes(self._view[start : start + _LOCAL_HEADER.size])
        if len(header) != _LOCAL_HEADER.size:
            raise Refusal(N_("{name}'s local header is truncated"), name=self.name)
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _LOCAL_MAGIC:
            raise Refusal(N_("{name}'s local header is damaged"), name=self.name)
        name_len, extra_len = fields[-2], fields[-1]
        self._pos = start + _LOCAL_HEADER.size + name_len + extra_len
        self._end = self._pos + info.compress_size
        if self._end > len(self._view):
            raise Refusal(
                N_("{name} is truncated: its compressed data runs past the file"), name=self.name
            )
        self._declared = info.file_size
        self._crc_expected = info.CRC
        self._crc = 0
        self._out = 0  # bytes produced so far
        self._method = info.compress_type
        if self._method == zipfile.ZIP_DEFLATED:
            self._d = _Inflate()
        elif self._method == zipfile.ZIP_BZIP2:
            self._d = _Buffered(bz2.BZ2Decompressor())
        elif self._method == zipfile.ZIP_LZMA:
            head = bytes(self._view[self._pos : min(self._pos + 9, self._end)])
            self._pos += len(head)
            self._d = _lzma_decompressor(head, self._declared, self.name)
        else:
            self._d = None

    def tell(self) -> int:
        """Bytes of the member read so far."""
        return self._out

    def _input(self) -> bytes:
        chunk = bytes(self._view[self._pos : min(self._pos + _IN_CHUNK, self._end)])
        self._pos += len(chunk)
        return chunk

    def _piece(self, want: int) -> bytes:
        """At most `want` more bytes of the member (b"" when its data has run out)."""
        want = max(1, want)  # zlib reads a limit of 0 as "no limit"
        if self._d is None:  # stored: the bytes themselves
            chunk = bytes(self._view[self._pos : min(self._pos + want, self._end)])
            self._pos += len(chunk)
            return chunk
        for _ in range(64):  # a few empty rounds (headers, block ends) before any output
            data = self._input() if self._d.needs_input() and self._pos < self._end else b""
            if not data and self._d.needs_input():
                return b""  # no input left and nothing buffered
            try:
                out = self._d.decompress(data, want)
            except (zlib.error, OSError, EOFError, lzma.LZMAError) as e:
                raise Refusal(N_("{name} is damaged: {why}"), name=self.name, why=e) from None
            if out or self._d.finished():
                return out
        return b""

    def read(self, n: int) -> bytes:
        """Up to `n` bytes (fewer only at the declared end), in pieces of at most _OUT_CHUNK."""
        n = max(0, min(n, self._declared - self._out))
        parts, got = [], 0
        while got < n:
            piece = self._piece(min(n - got, _OUT_CHUNK))
            if not piece:
                break
            parts.append(piece)
            got += len(piece)
            self._crc = zlib.crc32(piece, self._crc)
        self._out += got
        return b"".join(parts)

    def finish(self) -> None:
        """ValueError unless the member held exactly its declared size and its CRC matches."""
        while self._out < self._declared:
            if not self.read(_OUT_CHUNK):
                raise Refusal(
                    N_("{name} is truncated: {got:,} of {count:,} bytes"),
                    name=self.name,
                    got=self._out,
                    count=self._declared,
                )
        if self._d is None:
            extra = self._pos < self._end
        else:
            extra = bool(self._piece(1))
        if extra:
            raise Refusal(
                N_("{name} holds more than its declared {count:,} bytes"),
                name=self.name,
                count=self._declared,
            )
        if self._crc != self._crc_expected:
            raise Refusal(N_("{name} is damaged: its CRC-32 does not match"), name=self.name)
