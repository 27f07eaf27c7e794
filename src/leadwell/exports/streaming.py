"""Pieces every streamed format shares: formula-safe text cells, and a ZIP archive written
as a stream of bytes (no seeking, no temporary file, entries of any size)."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Iterator

__all__ = ["BLOCK", "DANGEROUS", "spreadsheet_safe", "zip_stream"]

#: Bytes gathered before a piece of output is handed on (to a response, a file).
BLOCK = 1 << 16
#: First characters that make a spreadsheet read a text as a formula (OWASP "CSV injection").
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
#: Fast, and the ZIP still a fraction of the CSV or XML: level 1 packs the tables about as
#: well as the default level 6 at a third of its time.
LEVEL = 1


def spreadsheet_safe(text: str) -> str:
    """``text`` with an apostrophe in front when a spreadsheet would take it for a formula.

    >>> spreadsheet_safe("=HYPERLINK(...)")
    "'=HYPERLINK(...)"
    >>> spreadsheet_safe("fine")
    'fine'
    """
    return "'" + text if text.startswith(DANGEROUS) else text


class _Sink:
    """A write-only file for :class:`zipfile.ZipFile` that keeps what was written until taken.

    It has no ``tell``, so zipfile treats it as a stream: sizes and checksums go in data
    descriptors after each entry instead of being written back into its header.
    """

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


def zip_stream(entries: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[bytes]:
    """A ZIP archive of ``(name, pieces of content)`` entries, as pieces of bytes.

    Entries are read lazily, one after the other, so each may be produced while the archive is
    being sent; every entry is ZIP64 so none is limited to 4 GiB.
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as zf:
        for name, pieces in entries:
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = LEVEL  # what ZipFile.open sets for a name given as text
            info.external_attr = 0o600 << 16  # unpacked files readable by their owner only
            with zf.open(info, "w", force_zip64=True) as entry:
                for piece in pieces:
                    entry.write(piece)
                    if sink.size >= BLOCK:
                        yield sink.take()
    yield sink.take()
