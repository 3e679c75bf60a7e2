"""CSV files that people open in a spreadsheet (the audit trail, look-alikes, the export's
manifest): what a person typed is written so that Excel or LibreOffice shows it as text.

A cell that starts with =, +, -, @, a tab or a carriage return is read as a formula there:
a note "=HYPERLINK(...)" would run (or leak data) on the reviewer's machine. OWASP's advice
is followed: such text gets a leading apostrophe, which spreadsheets show as text and hide.
Numbers are left as they are (they are written by Seep, not typed)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """One cell as a spreadsheet should show it."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(f, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """`header` and `rows` as CSV into the text file `f`, typed text made safe; returns the rows."""
    w = csv.writer(f)
    w.writerow(header)
    n = 0
    for row in rows:
        w.writerow([cell(v) for v in row])
        n += 1
    return n
