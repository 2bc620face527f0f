"""Inquiries as JSON Lines or CSV, one record per inquiry.

CSV is made to be opened in a spreadsheet: a cell that starts like a formula (``=``, ``+``, ``-``,
``@``, their full-width forms ``＝＋－＠``, which a Chinese input method types and spreadsheets
accept as the ASCII ones, tab or carriage return) gets a leading ``'`` so Excel and LibreOffice
show it as text instead of running it (residents' messages are untrusted input). Files start with a UTF-8 BOM,
without which Excel reads UTF-8 Chinese as mojibake; output meant for other programs can go
without it.

With intent ``titles`` the CSV is for staff reading it in Chinese: Chinese column headers, intent
titles instead of ids, channel and feedback in words, and the candidates as "法律援助 82；人民调解 40"
rather than JSON.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..store.base import Inquiry

FIELDS = ("id", "time", "channel", "user", "text", "intent", "score", "feedback", "review", "candidates", "reply")
FORMATS = ("jsonl", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")
BOM = "\ufeff"
CHINESE_HEADERS = {
    "id": "编号", "time": "时间", "channel": "渠道", "user": "用户（匿名编号）", "text": "问题（已去除个人信息）",
    "intent": "回答类别", "score": "匹配分", "feedback": "评价", "review": "复核", "candidates": "候选类别", "reply": "回答",
}
CHANNEL_NAMES = {"web": "网页聊天", "wechat": "微信公众号", "telegram": "Telegram", "terminal": "终端测试"}
FEEDBACK_NAMES = {"up": "有帮助", "down": "没帮助"}
REVIEW_NAMES = {"accepted": "已采纳为例句", "dismissed": "已忽略"}
UNMATCHED_NAME = "未匹配"


def spreadsheet_safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else str(value)
    return spreadsheet_safe(text)


def _in_words(record: dict[str, Any], titles: Mapping[str, str]) -> dict[str, Any]:
    """A record as staff read it: titles, channel, feedback and review in Chinese, readable candidates."""
    title = lambda intent: titles.get(intent, intent)  # noqa: E731 - an intent since removed keeps its id
    return {
        **record,
        "time": record["time"][:19].replace("T", " "),
        "channel": CHANNEL_NAMES.get(record["channel"], record["channel"]),
        "intent": title(record["intent"]) if record["intent"] else UNMATCHED_NAME,
        "feedback": FEEDBACK_NAMES.get(record["feedback"], ""),
        "review": REVIEW_NAMES.get(record["review"], ""),
        "candidates": "；".join(f"{title(c['intent'])} {c['score']:.0f}" for c in record["candidates"]),
    }


def export_csv(inquiries: Iterable[Inquiry], bom: bool = True, titles: Mapping[str, str] | None = None) -> bytes:
    """A header row, then one row per inquiry; candidates as a JSON cell, or in words with ``titles``."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([CHINESE_HEADERS[name] for name in FIELDS] if titles is not None else FIELDS)
    for inquiry in inquiries:
        record = inquiry.as_record() if titles is None else _in_words(inquiry.as_record(), titles)
        writer.writerow([_cell(record[name]) for name in FIELDS])
    return out.getvalue().encode("utf-8")


def export_jsonl(inquiries: Iterable[Inquiry]) -> bytes:
    lines = (json.dumps(i.as_record(), ensure_ascii=False) + "\n" for i in inquiries)
    return "".join(lines).encode("utf-8")


def export(inquiries: Iterable[Inquiry], fmt: str, bom: bool = True, titles: Mapping[str, str] | None = None) -> bytes:
    """`export_csv` or `export_jsonl` by name (``bom`` and ``titles`` apply to CSV only)."""
    if fmt == "csv":
        return export_csv(inquiries, bom, titles)
    if fmt == "jsonl":
        return export_jsonl(inquiries)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
