"""A case written out for a planner to edit (`gasmix init`): a folder of its files or one
workbook. Written like every output (finished aside, then moved into place), and only into
a new or empty folder or a new file: a planner's own case is never overwritten."""

from __future__ import annotations

import shutil
from pathlib import Path

from ...models.workbook import write_case_workbook
from .files import replace_folder, write_file

# What a case folder is made of; the embedded case's folder also holds Python files.
CASE_FILE_SUFFIXES = (".csv", ".toml", ".md")


def write_case_folder(source: Path, target: Path) -> Path:
    """The case files of folder `source` copied into the new or empty folder `target`."""
    def fill(folder: Path) -> None:
        for item in sorted(source.iterdir()):
            if item.suffix in CASE_FILE_SUFFIXES:
                shutil.copy2(item, folder / item.name)

    return replace_folder(target, fill, kind=None)


def write_case_xlsx(source: Path, target: Path) -> Path:
    """The case folder `source` as one workbook at the new file `target` (needs the
    `excel` extra)."""
    return write_file(target, lambda tmp: write_case_workbook(source, tmp),
                      what="a file gasmix may replace")
