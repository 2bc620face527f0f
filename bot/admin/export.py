"""Inquiries as JSON Lines or CSV, one record per inquiry.

CSV is made to be opened in a spreadsheet: a cell that starts like a formula (``=``, ``+``, ``-``,
``@``, their full-width forms ``＝＋－＠``, which a Chinese input method types and spreadsheets
accept as the ASCII ones, tab or carriage return) gets a leading ``'`` so Excel and LibreOffice
show it as text instead of running it (residents' messages are untrusted input). Files start with a UTF-8 BOM,
without which Excel reads UTF-8 Chinese as mojibake; output meant for other programs can go
without it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from ..store.base import Inquiry

FIELDS = ("id", "time", "channel", "user", "text", "intent", "score", "feedback", "review", "candidates", "reply")
FORMATS = ("jsonl", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")
BOM = "\ufeff"


def spreadsheet_safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
    return spreadsheet_safe(text)


def export_csv(inquiries: Iterable[Inquiry], bom: bool = True) -> bytes:
    """A header row, then one row per inquiry; candidates as a JSON cell."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for inquiry in inquiries:
        record = inquiry.as_record()
        writer.writerow([_cell(record[name]) for name in FIELDS])
    return out.getvalue().encode("utf-8")


def export_jsonl(inquiries: Iterable[Inquiry]) -> bytes:
    lines = (json.dumps(i.as_record(), ensure_ascii=False) + "\n" for i in inquiries)
    return "".join(lines).encode("utf-8")


def export(inquiries: Iterable[Inquiry], fmt: str, bom: bool = True) -> bytes:
    """`export_csv` or `export_jsonl` by name (``bom`` applies to CSV only)."""
    if fmt == "csv":
        return export_csv(inquiries, bom)
    if fmt == "jsonl":
        return export_jsonl(inquiries)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
