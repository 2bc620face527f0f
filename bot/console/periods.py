"""Reading the period a page asks for (``?since=…&until=…`` or ``?month=YYYY-MM``), in Wanzhou days."""

from __future__ import annotations

import datetime as dt
import re

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..errors import UserError
from ..store.base import now
from .dashboard import Period

MONTH = re.compile(r"(\d{4})-(\d{2})")
MAX_DAYS = 366


def parse_month(value: str) -> Period:
    """``2026-11`` → that month; `UserError` in Chinese otherwise (the CLI and the pages share it)."""
    found = MONTH.fullmatch(value.strip())
    if not found or not 1 <= int(found[2]) <= 12:
        raise UserError(f"月份要写成 年-月，例如 2026-11，实际是“{value}”")
    return Period.month(dt.date(int(found[1]), int(found[2]), 1))


def _day(request: Request, name: str) -> dt.date | None:
    value = request.query_params.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, f"日期“{value}”的格式不对，要写成 2026-11-01 这样") from None


def requested_period(request: Request, default_days: int) -> Period:
    """The month asked for, else since/until, else the last ``default_days`` days up to today."""
    if month := request.query_params.get("month"):
        try:
            return parse_month(month)
        except UserError as exc:
            raise HTTPException(400, str(exc)) from None
    today = now().date()
    until = _day(request, "until") or today
    since = _day(request, "since") or until - dt.timedelta(days=default_days - 1)
    if since > until:
        raise HTTPException(400, f"开始日期 {since} 晚于结束日期 {until}")
    if (until - since).days >= MAX_DAYS:
        raise HTTPException(400, f"一次最多看 {MAX_DAYS} 天")
    return Period(since, until)
