"""The bot's knowledge: intents and local contacts, loaded from YAML and validated.

Admins edit these files by hand, so every problem is reported as ``file:line: 错误: message`` in
Chinese (`knowledge_messages` says what each one means) and a bad edit never half-loads: `load_knowledge` either returns a complete, immutable `Knowledge`
or raises `KnowledgeError` listing every problem found.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from ..errors import UserError
from .actions import Action, ActionKind, parse_reference
from .knowledge_messages import CONTACT_FIELD_NAMES, SEVERITY_WORDS, decode_line, field_name, full_width_key_lines, schema_problems, yaml_problems

CONTACTS_FILE = "contacts.yaml"
SCHEMA_FILE = "schema.json"
CONTACT_FIELDS = ("name", "address", "phone", "hours", "url", "note")
# Kinds of intent: a public service of the report, an everyday problem that brings people to
# those services, or navigation and small talk. Emergency and out-of-scope are flags (below).
KINDS = ("service", "topic", "smalltalk")
MAX_KNOWLEDGE_FILE_BYTES = 1 << 20  # per YAML file; the shipped ones are under 8 KiB
# libyaml's parser when PyYAML has it: about five times faster on the shipped files than the
# pure-Python one, which is kept for wording errors (`knowledge_messages` explains its messages).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge files, located for the admin who must fix it."""

    path: Path
    line: int | None
    message: str
    severity: str = "error"  # "error" stops loading; "warning" is advice

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {SEVERITY_WORDS.get(self.severity, self.severity)}: {self.message}"


class KnowledgeError(UserError):
    """The intent files cannot be loaded; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Section:
    """One part of an answer behind a button (要准备什么, 时限, 费用 …): a short message of its own."""

    title: str
    text: str


@dataclass(frozen=True)
class Intent:
    """An intent and its answer: ``summary`` is the first message a resident reads (phone-sized);
    ``sections`` sit behind buttons under it, the legal basis among them."""

    id: str
    title: str
    examples: tuple[str, ...]
    summary: str
    kind: str = "service"
    sections: tuple[Section, ...] = ()
    keywords: tuple[str, ...] = ()
    buttons: tuple[Action, ...] = ()
    sources: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    reviewed: dt.date | None = None
    priority: bool = False
    out_of_scope: bool = False
    file: Path | None = None
    line: int | None = None
    example_lines: tuple[int, ...] = ()
    keyword_lines: tuple[int, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        """Everything a resident can read of this answer, for checks that read the wording."""
        return (self.summary, *(s.text for s in self.sections))


@dataclass(frozen=True)
class Contact:
    key: str
    name: str = ""
    address: str = ""
    phone: str = ""
    hours: str = ""
    url: str = ""
    note: str = ""

    @property
    def is_filled(self) -> bool:
        return any(getattr(self, f).strip() for f in CONTACT_FIELDS)


@dataclass(frozen=True)
class Knowledge:
    """Everything the core needs to answer: intents in file order, and the admins' contacts."""

    intents: tuple[Intent, ...]
    contacts: dict[str, Contact] = field(default_factory=dict)
    directory: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {i.id: i for i in self.intents})

    def get(self, intent_id: str) -> Intent | None:
        return self._by_id.get(intent_id)  # type: ignore[attr-defined]

    def __getitem__(self, intent_id: str) -> Intent:
        return self._by_id[intent_id]  # type: ignore[attr-defined]

    def __contains__(self, intent_id: object) -> bool:
        return intent_id in self._by_id  # type: ignore[attr-defined]

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.intents]


def default_intents_dir() -> Path:
    """The shipped `intents/` folder beside the package (an editable install from the clone)."""
    return Path(__file__).resolve().parents[2] / "intents"


@cache
def _schema(schema_path: Path) -> dict[str, Any]:
    return json.loads(schema_path.read_text(encoding="utf-8"))


def _shipped_schema() -> dict[str, Any]:
    return _schema(default_intents_dir() / SCHEMA_FILE)


def _node_at(node: yaml.Node | None, path: Iterable[Any]) -> yaml.Node | None:
    """Walk a composed YAML node tree along a jsonschema error path, to find the line."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
    return node


def _key_or_node(root: yaml.Node | None, path: list[Any]) -> yaml.Node | None:
    """The node an error is about; for a key the mapping does not allow, that key itself."""
    parent = _node_at(root, path[:-1]) if path else None
    if isinstance(parent, yaml.MappingNode):
        key = next((k for k, _ in parent.value if k.value == path[-1]), None)
        if key is not None:
            return key
    return _node_at(root, path)


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _plain(value: Any) -> Any:
    """YAML turns 2026-11-27 into a date; the schema (and JSON) want the string."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None, str, list[Problem]]:
    """Parse one knowledge file, refusing what could exhaust memory before building anything.

    Reading stops one byte past the size limit, and anchors/aliases are refused from the event
    stream (a "billion laughs" file expands only when it is built), so neither costs more memory
    than the limit. Returns the data, its node tree (for lines), the text and the problems.
    """
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_KNOWLEDGE_FILE_BYTES + 1)
        if len(raw) > MAX_KNOWLEDGE_FILE_BYTES:
            limit = MAX_KNOWLEDGE_FILE_BYTES // 1024
            return None, None, "", [Problem(path, None, f"文件超过 {limit} KiB 的上限，请拆分成几个较小的文件")]
        text = raw.decode("utf-8")
    except OSError as exc:
        return None, None, "", [Problem(path, None, f"无法读取文件：{exc.strerror or exc}")]
    except UnicodeDecodeError as exc:
        line = decode_line(raw, exc)
        return None, None, "", [Problem(path, line, f"第{line}行有不是 UTF-8 编码的字符：请用 UTF-8 编码保存这个文件")]
    try:
        data, node, alias = _parse(text, _FAST_LOADER)
    except yaml.YAMLError:
        try:  # the pure-Python parser's words are the ones `yaml_problems` explains
            data, node, alias = _parse(text, yaml.SafeLoader)
        except yaml.YAMLError as exc:
            return None, None, text, [Problem(path, line, message) for line, message in yaml_problems(text, exc)]
    if alias is not None:
        return None, None, text, [Problem(path, alias.start_mark.line + 1, "不支持 YAML 锚点/别名（&、*），请把内容直接写出来")]
    return _plain(data), node, text, []


def _parse(text: str, loader: type[yaml.SafeLoader]) -> tuple[Any, yaml.Node | None, yaml.Event | None]:
    """The data and its node tree from one pass of composing, or the first anchor or alias found
    in the event stream (then nothing is composed)."""
    alias = next((e for e in yaml.parse(text, Loader=loader) if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)), None)
    if alias is not None:
        return None, None, alias
    document = loader(text)
    try:
        node = document.get_single_node()
        return (document.construct_document(node) if node is not None else None), node, None
    finally:
        document.dispose()


def _parse_intent_file(path: Path, schema: dict[str, Any]) -> tuple[list[Intent], list[Problem]]:
    data, root, text, problems = _read_yaml(path)
    if problems:
        return [], problems
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        for where, message in schema_problems(error, data):
            problems.append(Problem(path, _line(_key_or_node(root, where)) or 1, message))
    if problems:
        # A full-width colon makes the key part of a text; name it rather than what follows from it.
        colons = [Problem(path, line, message) for line, message in full_width_key_lines(text)]
        return [], colons + [p for p in problems if p.line not in {c.line for c in colons}]
    intents = []
    for index, raw in enumerate(data["intents"]):
        node = _node_at(root, ["intents", index])
        examples_node = _node_at(node, ["examples"])
        keywords_node = _node_at(node, ["keywords"])
        buttons = []
        for position, ref in enumerate(raw.get("buttons", [])):
            action = parse_reference(ref)
            if action is None:
                line = _line(_node_at(node, ["buttons", position]))
                problems.append(Problem(path, line, f"意图 {raw['id']} 的按钮“{ref}”写法不对：应为意图编号（如 legal_aid）或 flow:流程名（如 flow:deadline）"))
            else:
                buttons.append(action)
        intents.append(
            Intent(
                id=raw["id"],
                title=raw["title"].strip(),
                examples=tuple(e.strip() for e in raw["examples"]),
                summary=raw["summary"].strip(),
                kind=raw.get("kind", "service"),
                sections=tuple(Section(s["title"].strip(), s["text"].strip()) for s in raw.get("sections", [])),
                keywords=tuple(k.strip() for k in raw.get("keywords", [])),
                buttons=tuple(buttons),
                sources=tuple(raw.get("sources", [])),
                contacts=tuple(raw.get("contacts", [])),
                reviewed=dt.date.fromisoformat(raw["reviewed"]) if raw.get("reviewed") else None,
                priority=bool(raw.get("priority", False)),
                out_of_scope=bool(raw.get("out_of_scope", False)),
                file=path,
                line=_line(node),
                example_lines=tuple(_line(n) or 0 for n in examples_node.value) if examples_node else (),
                keyword_lines=tuple(_line(n) or 0 for n in keywords_node.value) if isinstance(keywords_node, yaml.SequenceNode) else (),
            )
        )
    return (intents if not problems else []), problems


def _parse_contacts(path: Path) -> tuple[dict[str, Contact], list[Problem]]:
    if not path.exists():
        return {}, []
    data, root, _, problems = _read_yaml(path)
    if problems:
        return {}, problems
    entries = (data or {}).get("contacts") if isinstance(data, dict) else None
    if entries is None:
        return {}, []
    if not isinstance(entries, dict):
        return {}, [Problem(path, _line(_node_at(root, ["contacts"])), f"{field_name('contacts')}应为一组“键: 字段”：每个联系方式一个键（如 legal_aid_center:），下面缩进写 {'、'.join(CONTACT_FIELDS)}")]
    contacts: dict[str, Contact] = {}
    for key, fields in entries.items():
        line = _line(_node_at(root, ["contacts", key]))
        fields = fields or {}
        if not isinstance(fields, dict):
            problems.append(Problem(path, line, f"联系方式 {key} 下面应为一组“字段: 内容”，可用的字段：{_contact_fields()}"))
            continue
        unknown = sorted(set(fields) - set(CONTACT_FIELDS), key=str)
        if unknown:
            names = "、".join(f"“{u}”" for u in unknown)
            problems.append(Problem(path, line, f"联系方式 {key} 里有不认识的字段{names}——是不是写错了？可用的字段：{_contact_fields()}"))
            continue
        contacts[key] = Contact(key, **{k: str(v or "").strip() for k, v in fields.items()})
    return contacts, problems


def _contact_fields() -> str:
    return "、".join(field_name(f, CONTACT_FIELD_NAMES) for f in CONTACT_FIELDS)


def _cross_check(intents: list[Intent], contacts: dict[str, Contact], flow_names: frozenset[str] | None) -> list[Problem]:
    """Problems no single file shows: duplicate ids, dangling button or contact references
    (flows are checked when the caller says which exist: the core does not know them)."""
    problems: list[Problem] = []
    seen: dict[str, Intent] = {}
    for intent in intents:
        if intent.id in seen:
            first = seen[intent.id]
            problems.append(Problem(intent.file, intent.line, f"意图编号“{intent.id}”重复了（第一次出现在 {first.file}:{first.line}）：每个意图的编号（id）必须不同"))
        seen.setdefault(intent.id, intent)
    for intent in intents:
        for action in intent.buttons:
            if action.kind is ActionKind.INTENT and action.target not in seen:
                problems.append(Problem(intent.file, intent.line, f"意图 {intent.id} 的按钮指向不存在的意图“{action.target}”：检查编号的拼写"))
            if action.kind is ActionKind.FLOW and flow_names is not None and action.target not in flow_names:
                known = "、".join(sorted(flow_names))
                problems.append(Problem(intent.file, intent.line, f"意图 {intent.id} 的按钮“{action}”指向不存在的流程（可用：{known}）"))
        for key in intent.contacts:
            if key not in contacts:
                problems.append(Problem(intent.file, intent.line, f"意图 {intent.id} 的联系方式“{key}”在 {CONTACTS_FILE} 里没有：先在那里添加，或检查拼写"))
    return problems


def load_knowledge(directory: Path | str | None = None, flow_names: Iterable[str] | None = None) -> Knowledge:
    """Load and validate every intent file in `directory` (default: the shipped intents);
    with ``flow_names``, a button naming any other flow is an error too."""
    directory = Path(directory) if directory else default_intents_dir()
    if not directory.is_dir():
        raise KnowledgeError([Problem(directory, None, "找不到这个意图文件夹")])
    schema_path = directory / SCHEMA_FILE
    schema = _schema(schema_path) if schema_path.exists() else _shipped_schema()
    files = sorted(p for p in directory.glob("*.yaml") if p.name != CONTACTS_FILE)
    if not files:
        raise KnowledgeError([Problem(directory, None, "文件夹里没有意图文件（*.yaml）")])
    intents: list[Intent] = []
    problems: list[Problem] = []
    for path in files:
        found, file_problems = _parse_intent_file(path, schema)
        intents.extend(found)
        problems.extend(file_problems)
    contacts, contact_problems = _parse_contacts(directory / CONTACTS_FILE)
    problems.extend(contact_problems)
    if not problems:
        problems.extend(_cross_check(intents, contacts, frozenset(flow_names) if flow_names is not None else None))
    if problems:
        raise KnowledgeError(problems)
    return Knowledge(tuple(intents), contacts, directory)
