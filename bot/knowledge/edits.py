"""Changes to the knowledge as text in, text out: the files of a revision → the files after one edit.

Each edit goes through ruamel.yaml's round trip (`bot.admin.intent_edit`), so comments, quoting
and layout of the YAML survive and an exported revision still reads like the hand-kept file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from ..admin.intent_edit import IntentEditError, _dump, _intent, _matching_yaml, add_example
from ..core.knowledge import CONTACTS_FILE, Knowledge
from ..core.normalise import clean_text
from .folder import Files, load_files, materialised

REQUIRED = ("title", "examples", "summary")  # intents/schema.json: empty ones are reported by the check


def intent_file(files: Files, intent_id: str, knowledge: Knowledge | None = None) -> str:
    """The name of the file that holds the intent (`IntentEditError` when none does); give the
    files' ``knowledge`` when it is at hand, to spare loading them."""
    intent = (knowledge or load_files(files)).get(intent_id)
    if intent is None or intent.file is None:
        raise IntentEditError(f"没有 id 为 {intent_id} 的意图")
    return intent.file.name


def with_example(files: Files, intent_id: str, text: str) -> dict[str, str]:
    """``text`` appended to the intent's examples."""
    name = intent_file(files, intent_id)
    with materialised(files) as directory:
        add_example(directory / name, intent_id, text)
        return {**files, name: (directory / name).read_text(encoding="utf-8")}


def _edited(files: Files, name: str, change) -> dict[str, str]:
    source = files[name]
    yaml = _matching_yaml(source)
    data = yaml.load(source)
    change(data)
    return {**files, name: _dump(yaml, data)}


def without_example(files: Files, intent_id: str, text: str) -> dict[str, str]:
    """The intent's examples without ``text`` (compared as the matcher sees it); unchanged when absent."""
    name = intent_file(files, intent_id)
    key = clean_text(text)

    def drop(data: Any) -> None:
        examples = _intent(data, intent_id, Path(name))["examples"]
        for position in reversed(range(len(examples))):
            if clean_text(str(examples[position])) == key:
                del examples[position]

    return _edited(files, name, drop)


def _plain(value: Any) -> Any:
    """A field's value for comparison, whatever its YAML style: stripped strings, plain lists."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _block(text: str) -> str | LiteralScalarString:
    """A text with line breaks as a ``|`` block, as the hand-written files have them."""
    text = text.strip()
    return LiteralScalarString(text + "\n") if "\n" in text else text


def with_fields(files: Files, intent_id: str, fields: Mapping[str, Any], knowledge: Knowledge | None = None) -> dict[str, str]:
    """The intent's fields set as given (title, keywords, examples, summary, sections, buttons,
    sources, reviewed); an empty optional list or value removes the key. Comments stay."""
    name = intent_file(files, intent_id, knowledge)

    def update(data: Any) -> None:
        intent = _intent(data, intent_id, Path(name))
        for key, value in fields.items():
            if _plain(intent.get(key)) == _plain(value):
                continue  # untouched fields keep their exact layout
            if key == "sections":
                value = CommentedSeq([CommentedMap([("title", s["title"].strip()), ("text", _block(s["text"]))]) for s in value])
            elif isinstance(value, list):
                value = CommentedSeq([v.strip() for v in value])
            elif key == "summary":
                value = _block(value)
            elif isinstance(value, str):
                value = value.strip()
            if key not in REQUIRED and (value is None or len(value) == 0):
                intent.pop(key, None)  # an empty optional field is left out, as by hand
                continue
            old = intent.get(key)
            if isinstance(old, CommentedSeq) and isinstance(value, CommentedSeq) and key != "sections":
                old[:] = list(value)  # keep the list's own comments
            else:
                intent[key] = value

    return _edited(files, name, update)


def with_contact(files: Files, key: str, fields: Mapping[str, str]) -> dict[str, str]:
    """One entry of contacts.yaml set to ``fields`` (name, address, phone, hours, url, note)."""

    def update(data: Any) -> None:
        contacts = data.setdefault("contacts", CommentedMap())
        entry = contacts.get(key)
        if entry is None:
            entry = contacts[key] = CommentedMap()
        for field, value in fields.items():
            entry[field] = value.strip()

    return _edited(files, CONTACTS_FILE, update)
