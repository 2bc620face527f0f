"""The audit log: who changed what, when, from what to what — every change the console or the
`users` command makes writes one row (`record`), and the log is shown and exported as it is.

``before`` and ``after`` are any JSON value (a role, an intent's fields, an example's text) or
None where there was nothing; they are stored as JSON text. Times are in the bureau's zone.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..admin.export import BOM, spreadsheet_safe
from ..store.base import ZONE, now
from ..store.sql import Row, SQLStore

# Actions by their Chinese name; a module that records a new kind of change adds it here.
ACTION_NAMES = {
    "login": "登录",
    "login.failed": "登录失败",
    "logout": "退出登录",
    "user.add": "新增账号",
    "user.disable": "停用账号",
    "user.enable": "启用账号",
    "user.passwd": "修改密码",
    "report.view": "查看月度报告",
    "export.inquiries": "导出咨询记录",
    "export.audit": "导出审计日志",
    "knowledge.edit": "修改知识库",
    "knowledge.import": "导入知识库（命令行）",
    "knowledge.revert": "恢复知识库版本",
    "contacts.edit": "修改并核实联系人",
    "inbox.example": "收件箱：加为例句",
    "inbox.out_of_scope": "收件箱：标为超出范围",
    "inbox.dismiss": "收件箱：忽略",
    "inbox.undo": "收件箱：撤销",
}
# Actions that change what residents are told (the knowledge, the inbox's accepted examples, the
# local contacts) start with one of these: the monthly report lists them as the month's changes.
KNOWLEDGE_PREFIXES = ("knowledge.", "inbox.", "contacts.")
CSV_HEADERS = ("编号", "时间", "操作人", "操作", "对象", "修改前", "修改后")
_COLUMNS = "id, time, actor, action, target, before_value, after_value"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    time: dt.datetime
    actor: str
    action: str
    target: str
    before: Any
    after: Any

    @property
    def action_name(self) -> str:
        return ACTION_NAMES.get(self.action, self.action)

    @property
    def changes_knowledge(self) -> bool:
        return self.action.startswith(KNOWLEDGE_PREFIXES)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _entry(store: SQLStore, row: Row) -> AuditEntry:
    load = lambda text: None if text is None else json.loads(text)  # noqa: E731
    return AuditEntry(
        row["id"], store.dialect.time_value(row["time"]), row["actor"], row["action"], row["target"],
        load(row["before_value"]), load(row["after_value"]),
    )


async def record(
    store: SQLStore, actor: str, action: str, target: str = "", before: Any = None, after: Any = None, at: dt.datetime | None = None
) -> int:
    """Write one audit row (at ``at``, default now); return its id."""
    rows = await store.change(
        "INSERT INTO audit_log (time, actor, action, target, before_value, after_value) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        store.dialect.time_param(at or now()),
        actor,
        action,
        target,
        _json(before),
        _json(after),
    )
    return int(rows[0]["id"])


async def entries(
    store: SQLStore,
    since: dt.date | None = None,
    until: dt.date | None = None,
    actions: Iterable[str] | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit rows, newest first; days are in `ZONE` and both inclusive; ``actions`` keeps only those kinds."""
    clauses, params = [], []
    if since:
        clauses.append("time >= ?")
        params.append(store.dialect.day_start(since))
    if until:
        clauses.append("time < ?")
        params.append(store.dialect.day_start(until + dt.timedelta(days=1)))
    wanted = tuple(actions) if actions is not None else None
    if wanted is not None:
        if not wanted:
            return []
        clauses.append(f"action IN ({', '.join('?' for _ in wanted)})")
        params += wanted
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    tail = " LIMIT ?" if limit else ""
    rows = await store.select(f"SELECT {_COLUMNS} FROM audit_log{where} ORDER BY id DESC{tail}", *params, *([limit] if limit else []))
    return [_entry(store, r) for r in rows]


def shown(value: Any) -> str:
    """A before/after value as a person reads it: text as it is, anything else as JSON."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


def export_csv(rows: Iterable[AuditEntry]) -> bytes:
    """The audit log for a spreadsheet: Chinese headers, a BOM for Excel, formula-safe cells."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for e in rows:
        cells = (str(e.id), e.time.astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action_name, e.target, shown(e.before), shown(e.after))
        writer.writerow([spreadsheet_safe(c) for c in cells])
    return out.getvalue().encode("utf-8")
