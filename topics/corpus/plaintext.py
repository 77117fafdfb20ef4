"""Plain text: one document per blank-line-separated paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from topics.corpus.source import read_text
from topics.corpus.table import CorpusBuilder, records_in_chunks

__all__ = ["Block", "blocks", "read_plaintext"]

_BLANK_LINE = re.compile(r"\n[ \t\f\v\u00a0]*\n")


@dataclass(frozen=True)
class Block:
    """A blank-line-separated paragraph and the 1-based line it starts on."""

    line: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def blocks(text: str) -> list[Block]:
    """The non-blank paragraphs of `text` with their starting line numbers."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    line = 1
    position = 0
    for match in [*_BLANK_LINE.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[position:end]
        stripped_lines = [s.strip() for s in chunk.split("\n")]
        leading = 0
        while leading < len(stripped_lines) and not stripped_lines[leading]:
            leading += 1
        lines = tuple(s for s in stripped_lines if s)
        if lines:
            out.append(Block(line + leading, lines))
        if match:
            line += chunk.count("\n") + match.group().count("\n")
            position = match.end()
    return out


def read_plaintext(path: Path, builder: CorpusBuilder, encoding: str, chunksize: int) -> None:
    records = ({"abstract": b.text, "line": b.line} for b in blocks(read_text(path, encoding)))
    for batch in records_in_chunks(records, chunksize):
        builder.add_records(batch)
