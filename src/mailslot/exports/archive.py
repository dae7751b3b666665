"""The zip container of an export, written around deflate data stored in pieces.

Each file of the archive is compressed a piece at a time, by separate jobs' steps,
possibly on separate instances: `compress_piece` deflates one piece with a fresh
compressor and ends it with a sync flush (on a byte boundary, no final block), so the
pieces of a file, concatenated and followed by FINAL_BLOCK, are one valid raw deflate
stream (RFC 1951 §3.2.3; pigz compresses in parallel the same way). Its CRC-32 is
carried from piece to piece (`zlib.crc32(data, crc)`).

With every file's CRC-32 and sizes known before the first byte is sent, the archive is
a plain zip (PKWARE APPNOTE 6.3: local headers with sizes, no data descriptors, no
ZIP64), of a size known in advance. `headers` yields it around the files' data.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

FINAL_BLOCK = b"\x03\x00"  # an empty final fixed-Huffman block: what ends each file
ZIP32_LIMIT = 0xFFFF_FFFF  # sizes and offsets a zip without ZIP64 can hold
_DEFLATE = 8
_VERSION = 20  # 2.0: deflate
_MADE_BY = (3 << 8) | _VERSION  # Unix, so that the mode below is read
_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


def compress_piece(data: bytes) -> bytes:
    """`data` as raw deflate, ending on a byte boundary and not final."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


@dataclass(frozen=True, slots=True)
class ZipFile:
    """One file of the archive: its name, CRC-32, size, and the size of its stored
    pieces (without FINAL_BLOCK)."""

    name: str
    crc: int
    size: int
    stored: int

    @property
    def compressed(self) -> int:
        return self.stored + len(FINAL_BLOCK)

    @property
    def local_size(self) -> int:
        return _LOCAL.size + len(self.name.encode())


def _dos_time(moment: datetime) -> tuple[int, int]:
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((max(moment.year, 1980) - 1980) << 9) | (moment.month << 5) | moment.day
    return time, date


def local_header(file: ZipFile, moment: datetime) -> bytes:
    time, date = _dos_time(moment)
    name = file.name.encode()
    fields = (0x04034B50, _VERSION, 0, _DEFLATE, time, date, file.crc, file.compressed)
    return _LOCAL.pack(*fields, file.size, len(name), 0) + name


def central_directory(files: list[ZipFile], moment: datetime) -> bytes:
    """The central directory and its end record, for `files` stored in that order."""
    time, date = _dos_time(moment)
    entries = []
    offset = 0
    for file in files:
        name = file.name.encode()
        entries.append(
            _CENTRAL.pack(
                0x02014B50,
                _MADE_BY,
                _VERSION,
                0,
                _DEFLATE,
                time,
                date,
                file.crc,
                file.compressed,
                file.size,
                len(name),
                0,
                0,
                0,
                0,
                _MODE,
                offset,
            )
            + name
        )
        offset += file.local_size + file.compressed
    directory = b"".join(entries)
    end = _END.pack(0x06054B50, 0, 0, len(files), len(files), len(directory), offset, 0)
    return directory + end


def archive_size(files: list[ZipFile]) -> int:
    """The archive's size in bytes, headers included."""
    directory = sum(_CENTRAL.size + len(file.name.encode()) for file in files) + _END.size
    return sum(file.local_size + file.compressed for file in files) + directory


def fits(files: list[ZipFile]) -> bool:
    """Whether a zip without ZIP64 holds these files (each under 4 GiB, and the archive)."""
    return all(file.size < ZIP32_LIMIT for file in files) and archive_size(files) < ZIP32_LIMIT


def layout(files: list[ZipFile], moment: datetime) -> Iterator[tuple[int | None, bytes]]:
    """The archive in order: (index of a file, b"") where that file's stored pieces go,
    (None, bytes) for what the zip adds around them (headers, FINAL_BLOCK, directory)."""
    for index, file in enumerate(files):
        yield None, local_header(file, moment)
        yield index, b""
        yield None, FINAL_BLOCK
    yield None, central_directory(files, moment)
