"""Reading limits: how much of a case's input gasmix reads, in one place.

Every reader of input — a case folder's CSV tables and case.toml, a case workbook, a
disruptions file given with `--scenarios` — opens its file through `read_input` and walks
its rows within these limits, so a small hostile file (a workbook declaring a cell at
XFD1048576, a sheet of two million blank rows, a FIFO, a link to /dev/zero) is refused at
once with exit 2, instead of hanging or filling memory. Reading is bounded by the data
present: a workbook is streamed row by row and its declared dimension is ignored.

The limits are far above any real case (the Mexico case's longest table has 48 rows) and
are documented in docs/inputs.md ("Reading limits").
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

# A case file (CSV table, case.toml, workbook, disruptions file) may be at most this large:
# a national case at monthly resolution is kilobytes; 256 MB leaves room for hourly data.
MAX_FILE_BYTES = 256 * 2**20
# What a workbook may unpack to, member by member (its sheets and shared strings are XML
# inside a zip: a zip bomb of a few KB can declare gigabytes).
MAX_UNPACKED_BYTES = 1024 * 2**20
# Rows of one table or sheet, header and blank rows included (the row number a spreadsheet
# shows): 100,000 is e.g. 100 nodes × 1,000 periods of demand, beyond what the LP solves in
# reasonable time, and reading it takes about a second.
MAX_TABLE_ROWS = 100_000
# Cells right of a table's last schema column: a few are tolerated (notes, stray blanks;
# the table's own rules report them), a cell far right (XFD) ends the read.
COLUMN_MARGIN = 20
# Characters of one line of a CSV file: bounds the cells of one record (a line of millions
# of commas), far above any real row.
MAX_LINE_CHARS = 1_000_000

_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


class InputRefused(ValueError):
    """A file, or a part of it, beyond the reading limits: `rule` says which, for a Problem
    naming the file (and row, column) it is about."""

    def __init__(self, rule: str, row: int | None = None, column: str | None = None):
        super().__init__(rule)
        self.rule, self.row, self.column = rule, row, column


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a plain file")
    return f"cannot read the file: not a regular file ({kind}); gasmix reads only regular files"


def not_regular(path: Path) -> str | None:
    """Why the existing `path` (links followed) is not a regular file gasmix may open —
    a FIFO would block the open, a device read without end — or None."""
    return _not_regular(os.stat(path).st_mode)


def _megabytes(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def read_input(path: Path) -> bytes:
    """The bytes of the input file `path`, or InputRefused: the file (after following
    links) must be a regular file of at most MAX_FILE_BYTES. It is stat'ed before it is
    opened (a FIFO would block the open), opened without blocking and checked again on the
    open descriptor (it may have been swapped meanwhile), and read no further than the cap
    (it may be growing). OSError (missing, no permission) passes through."""
    rule = _not_regular(os.stat(path).st_mode)
    if rule:
        raise InputRefused(rule)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        rule = _not_regular(info.st_mode)
        if rule:
            raise InputRefused(rule)
        if info.st_size > MAX_FILE_BYTES:
            raise InputRefused(_too_large(info.st_size))
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputRefused(_too_large(len(data)))
    return data


def _too_large(size: int) -> str:
    return (f"the file is {_megabytes(size)}: a case file may be at most "
            f"{_megabytes(MAX_FILE_BYTES)}")


def check_unpacked_sizes(book: zipfile.ZipFile) -> None:
    """InputRefused if a member of a workbook's zip declares more than MAX_UNPACKED_BYTES
    (Python's zipfile reads no more than a member declares)."""
    for member in book.infolist():
        if member.file_size > MAX_UNPACKED_BYTES:
            raise InputRefused(f"part {member.filename} unpacks to {_megabytes(member.file_size)}: "
                               f"a workbook's parts may be at most {_megabytes(MAX_UNPACKED_BYTES)}")


def check_row_number(number: int) -> None:
    """InputRefused for a row beyond MAX_TABLE_ROWS (counted as a spreadsheet numbers rows,
    blank rows included): reading stops there."""
    if number > MAX_TABLE_ROWS:
        raise InputRefused(f"the table runs past row {MAX_TABLE_ROWS:,}: a table may have at most "
                           f"{MAX_TABLE_ROWS:,} rows, blank rows included (delete the rows "
                           "below the table, or split the case)", row=number)


def column_limit(columns: int) -> int:
    """How many cells a row of a table with `columns` schema columns may span."""
    return columns + COLUMN_MARGIN


def check_line(line: str, number: int) -> None:
    """InputRefused for a CSV line longer than MAX_LINE_CHARS."""
    if len(line) > MAX_LINE_CHARS:
        raise InputRefused(f"the line is {len(line):,} characters long: a line may have at most "
                           f"{MAX_LINE_CHARS:,} characters", row=number)


__all__ = ["MAX_FILE_BYTES", "MAX_UNPACKED_BYTES", "MAX_TABLE_ROWS", "COLUMN_MARGIN",
           "MAX_LINE_CHARS", "InputRefused", "read_input", "check_unpacked_sizes",
           "check_row_number", "column_limit", "check_line"]
