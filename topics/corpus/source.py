"""Opening input files: gzip, text decoding, and turning low-level failures into `InputError`."""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from topics.errors import InputError

__all__ = [
    "check_encoding", "detect_encoding", "is_blank", "is_gzip", "open_binary", "open_text", "reading",
    "read_text",
]  # fmt: skip

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def check_encoding(encoding: str) -> str:
    """The codec name for `encoding`; InputError for an unknown one."""
    try:
        return codecs.lookup(encoding).name
    except (LookupError, TypeError):
        raise InputError(f"unknown encoding {encoding!r}; pass e.g. encoding='utf-8' or 'latin-1'") from None


def detect_encoding(path: Path, encoding: str) -> str:
    """`encoding`, or the UTF-16 variant that the file's first bytes show when UTF-8 was asked for."""
    if check_encoding(encoding) != "utf-8":
        return encoding
    try:
        with open_binary(path) as handle:
            start = handle.read(1024)
    except (OSError, EOFError, zlib.error):
        return encoding
    return _utf16(start) or encoding


def _utf16(start: bytes) -> str | None:
    """utf-16 after a byte-order mark; utf-16-le/-be for ASCII-like text with NULs between; else None."""
    if start[:2] in _UTF16_BOMS:
        return "utf-16"
    pairs = len(start) // 2
    if pairs < 2:
        return None
    odd, even = start[1::2].count(0), start[0::2].count(0)
    if odd > 0.8 * pairs and not even:
        return "utf-16-le"
    if even > 0.8 * pairs and not odd:
        return "utf-16-be"
    return None


def _decoding(encoding: str) -> str:
    # a UTF-8 byte-order mark at the start is not part of the first value
    return "utf-8-sig" if check_encoding(encoding) == "utf-8" else encoding


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when its name ends with .gz."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    """The file as text lines (universal newlines); decode errors surface while reading."""
    return io.TextIOWrapper(open_binary(path), encoding=_decoding(encoding), errors="strict")


def read_text(path: Path, encoding: str) -> str:
    with reading(path, encoding), open_text(path, encoding) as handle:
        return handle.read()


def is_blank(path: Path) -> bool:
    """True when the (decompressed) file holds nothing but whitespace; False if it cannot be read."""
    try:
        with open_binary(path) as handle:
            while block := handle.read(1 << 16):
                if block.strip():
                    return False
    except (OSError, EOFError, zlib.error):
        return False
    return True


def _locate_decode_error(path: Path, encoding: str) -> tuple[int, int, int] | None:
    """(byte, line, offset) of the first byte that does not decode, scanning line by line."""
    decoding = _decoding(encoding)
    if codecs.lookup(decoding).name.startswith(("utf-16", "utf-32")):
        return None  # lines do not split on b"\n" in these
    offset = 0
    try:
        with open_binary(path) as handle:
            for line_no, line in enumerate(handle, start=1):
                try:
                    line.decode(decoding)
                except UnicodeDecodeError as error:
                    return line[error.start], line_no, offset + error.start
                offset += len(line)
    except (OSError, EOFError, zlib.error):
        return None
    return None


def decode_error(path: Path, encoding: str, error: UnicodeDecodeError) -> InputError:
    located = _locate_decode_error(path, encoding)
    if located is None:  # the codec failed across lines (e.g. UTF-16): report what the codec said
        byte = error.object[error.start] if error.start < len(error.object) else 0
        where = f"offset {error.start} of a block"
    else:
        byte, line_no, offset = located
        where = f"line {line_no} (offset {offset})"
    return InputError(
        f"{path}: cannot decode byte 0x{byte:02x} at {where} as {encoding}; "
        "pass encoding=... (or --encoding), e.g. 'latin-1'"
    )


@contextlib.contextmanager
def reading(path: Path, encoding: str = "utf-8") -> Iterator[None]:
    """Turn decoding and decompression failures raised inside the block into `InputError`."""
    try:
        yield
    except UnicodeDecodeError as error:
        raise decode_error(path, encoding, error) from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise InputError(f"{path}: not a valid gzip file ({error})") from None
