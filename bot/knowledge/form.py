"""One intent as the console's edit form: its fields, the checks made while staff type, the draft.

The checks here are the quick ones, each message in Chinese naming the field and the line, for
the mistakes staff really make: a full-width colon (``flow：deadline``), Chinese commas inside
one list item (``调解，说和`` is one keyword, not two), the same example twice or under another
intent, a button to an intent or flow that does not exist, a bad review date. Saving still runs
the whole `intents check` (`bot.knowledge.saving`).

The draft is the edited YAML of the intent's own file, parsed by the very loader the bot uses,
and put in place of that file's intents in the running knowledge — so the preview is the reply
residents will get, at a fraction of loading every file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.actions import Action, ActionKind, parse_reference
from ..core.knowledge import SCHEMA_FILE, Intent, Knowledge, Problem, _parse_intent_file, _shipped_schema
from ..core.knowledge_messages import CHINESE_COMMAS, FIELD_NAMES  # the names the loader's messages use too
from ..core.normalise import clean_text
from ..flows import all_flows
from ..intent_check import SUMMARY_MAX_CHARS
from ..store.redact import redact
from .edits import intent_file, with_fields
from .folder import Files

ITEM_NAMES = {"keywords": "关键词", "buttons": "按钮"}
TITLE_MAX_CHARS = 30  # intents/schema.json


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "name": FIELD_NAMES.get(self.field, self.field), "message": self.message, "severity": self.severity}


@dataclass(frozen=True)
class IntentForm:
    title: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    summary: str = ""
    sections: tuple[tuple[str, str], ...] = ()
    buttons: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    reviewed: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # never edited here

    @classmethod
    def of(cls, intent: Intent) -> "IntentForm":
        return cls(
            intent.title, intent.keywords, intent.examples, intent.summary, tuple((s.title, s.text) for s in intent.sections),
            tuple(_reference(b) for b in intent.buttons), intent.sources, intent.reviewed.isoformat() if intent.reviewed else "",
        )

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> "IntentForm":
        """From the page's JSON or a posted form: lists one item per line (or JSON lists),
        sections as ``[{"title", "text"}]`` or ``section_title_N``/``section_text_N`` fields."""

        def lines(key: str) -> tuple[str, ...]:
            value = data.get(key) or ""
            items = value if isinstance(value, list) else str(value).splitlines()
            return tuple(str(v).strip() for v in items if str(v).strip())

        sections = data.get("sections")
        if isinstance(sections, list):
            pairs = [(str(s.get("title", "")), str(s.get("text", ""))) for s in sections if isinstance(s, Mapping)]
        else:
            numbers = sorted({int(k.rsplit("_", 1)[1]) for k in data if k.startswith("section_title_") and k.rsplit("_", 1)[1].isdigit()})
            pairs = [(str(data.get(f"section_title_{n}", "")), str(data.get(f"section_text_{n}", ""))) for n in numbers]
        return cls(
            str(data.get("title") or "").strip(),
            lines("keywords"),
            lines("examples"),
            str(data.get("summary") or "").replace("\r\n", "\n").strip(),
            tuple((t.strip(), x.replace("\r\n", "\n").strip()) for t, x in pairs if t.strip() or x.strip()),
            lines("buttons"),
            lines("sources"),
            str(data.get("reviewed") or "").strip(),
        )

    def redacted(self, original: Intent) -> "IntentForm":
        """New examples as they will be stored: personal data replaced (`bot.store.redact`)."""
        kept = set(original.examples)
        return dataclasses.replace(self, examples=tuple(e if e in kept else redact(e) for e in self.examples))

    def fields(self) -> dict[str, Any]:
        """For `with_fields`."""
        return {
            "title": self.title,
            "reviewed": self.reviewed,
            "keywords": list(self.keywords),
            "examples": list(self.examples),
            "summary": self.summary,
            "sections": [{"title": t, "text": x} for t, x in self.sections],
            "buttons": list(self.buttons),
            "sources": list(self.sources),
        }


def _reference(action: Action) -> str:
    """A button as the files write it: the bare id for an intent, flow:… for a flow."""
    return action.target if action.kind is ActionKind.INTENT else action.encode()


def _list_problems(name: str, items: tuple[str, ...], commas: bool) -> list[FieldProblem]:
    label = FIELD_NAMES[name]
    problems = []
    for number, item in enumerate(items, 1):
        if "：" in item and name in ("keywords", "buttons"):
            fix = "半角冒号“:”（flow:名称）" if name == "buttons" else "两行，一行一个"
            problems.append(FieldProblem(name, f"{label}第 {number} 行“{item}”用了全角冒号“：”，请改成{fix}"))
        if commas and any(c in item for c in CHINESE_COMMAS):
            problems.append(FieldProblem(name, f"{label}第 {number} 行“{item}”里有中文逗号或顿号：一行只写一个{ITEM_NAMES[name]}，分开写成几行"))
    return problems


def _example_problems(intent_id: str, examples: tuple[str, ...], knowledge: Knowledge) -> list[FieldProblem]:
    problems = []
    seen: dict[str, int] = {}
    others = {clean_text(e): i for i in knowledge.intents if i.id != intent_id for e in i.examples}
    for number, example in enumerate(examples, 1):
        key = clean_text(example)
        if not key:
            problems.append(FieldProblem("examples", f"例句第 {number} 行“{example}”去掉标点后是空的"))
        elif key in seen:
            problems.append(FieldProblem("examples", f"例句第 {number} 行“{example}”与第 {seen[key]} 行重复"))
        elif key in others:
            other = others[key]
            problems.append(FieldProblem("examples", f"例句第 {number} 行“{example}”已经是“{other.title}”（{other.id}）的例句，同一句不能属于两个意图"))
        seen.setdefault(key, number)
    if not examples:
        problems.append(FieldProblem("examples", "例句不能为空：至少写一句居民会怎么问"))
    return problems


def _button_problems(buttons: tuple[str, ...], knowledge: Knowledge) -> list[FieldProblem]:
    flows = {flow.name for flow in all_flows()}
    problems = []
    for number, ref in enumerate(buttons, 1):
        if "：" in ref:
            continue  # named above
        action = parse_reference(ref)
        if action is None:
            problems.append(FieldProblem("buttons", f"按钮第 {number} 行“{ref}”写法不对：应为意图 id（如 legal_aid）或 flow:流程名（如 flow:deadline）"))
        elif action.kind is ActionKind.INTENT and action.target not in knowledge:
            problems.append(FieldProblem("buttons", f"按钮第 {number} 行指向不存在的意图“{action.target}”"))
        elif action.kind is ActionKind.FLOW and action.target not in flows:
            problems.append(FieldProblem("buttons", f"按钮第 {number} 行指向不存在的流程“{action.target}”（可用：{'、'.join(sorted(flows))}）"))
    return problems


def check_form(intent_id: str, form: IntentForm, knowledge: Knowledge, today: dt.date) -> list[FieldProblem]:
    """The quick checks, in the order of the form's fields."""
    problems: list[FieldProblem] = []
    if not form.title:
        problems.append(FieldProblem("title", "标题不能为空：按钮上显示的就是它"))
    elif len(form.title) > TITLE_MAX_CHARS:
        problems.append(FieldProblem("title", f"标题有 {len(form.title)} 个字，最多 {TITLE_MAX_CHARS} 个"))
    if "：" in form.title and form.title.endswith("："):
        problems.append(FieldProblem("title", "标题末尾有全角冒号“：”，请删掉"))
    problems += _list_problems("keywords", form.keywords, commas=True)
    problems += _example_problems(intent_id, form.examples, knowledge)
    original = set(knowledge[intent_id].examples) if intent_id in knowledge else set()
    for number, example in enumerate(form.examples, 1):
        if example not in original and (stored := redact(example)) != example:
            problems.append(FieldProblem("examples", f"例句第 {number} 行含个人信息，将存为“{stored}”", "warning"))
    if not form.summary:
        problems.append(FieldProblem("summary", "首条答复不能为空：这是居民最先读到的内容"))
    elif len(form.summary) > SUMMARY_MAX_CHARS:
        problems.append(FieldProblem("summary", f"首条答复有 {len(form.summary)} 字，超过 {SUMMARY_MAX_CHARS} 字，手机上太长：把细节移到分段里", "warning"))
    for number, (title, text) in enumerate(form.sections, 1):
        if not title or not text:
            problems.append(FieldProblem("sections", f"分段第 {number} 段{'缺少标题' if not title else '缺少内容'}：标题和内容都要写"))
    problems += _list_problems("buttons", form.buttons, commas=True)
    problems += _button_problems(form.buttons, knowledge)
    if form.reviewed:
        try:
            day = dt.date.fromisoformat(form.reviewed)
        except ValueError:
            problems.append(FieldProblem("reviewed", f"审核日期“{form.reviewed}”写法不对：应为 2026-11-27 这样的年-月-日"))
        else:
            if day > today:
                problems.append(FieldProblem("reviewed", f"审核日期 {day} 还没到：填实际核对法条的那一天"))
    return problems


def draft(files: Files, intent_id: str, form: IntentForm, knowledge: Knowledge) -> tuple[dict[str, str], Knowledge | None, list[Problem]]:
    """The edited files, and the knowledge with the intent's file re-read from them (None, with
    the loader's problems, when that file no longer loads)."""
    edited = with_fields(files, intent_id, form.fields(), knowledge)
    name = intent_file(files, intent_id, knowledge)
    schema = json.loads(files[SCHEMA_FILE]) if SCHEMA_FILE in files else _shipped_schema()
    with tempfile.TemporaryDirectory(prefix="legalbot-draft-") as tmp:
        path = Path(tmp) / name
        path.write_text(edited[name], encoding="utf-8")
        intents, problems = _parse_intent_file(path, schema)
    if problems:
        return edited, None, [dataclasses.replace(p, path=Path(name)) for p in problems]
    fresh = {i.id: dataclasses.replace(i, file=Path(name)) for i in intents}
    kept = [i for i in knowledge.intents if not (i.file and i.file.name == name)]
    merged = [fresh.get(i.id, i) for i in knowledge.intents if i.id in fresh or i in kept]
    merged += [i for i in fresh.values() if i.id not in {m.id for m in merged}]
    return edited, Knowledge(tuple(merged), knowledge.contacts, None), []

