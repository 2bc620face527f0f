"""Adding an example to an intent's YAML file the way an admin would: one new line, nothing else moved.

ruamel.yaml's round-trip mode keeps comments, quoting and block scalars. Its output indentation
is fixed per dump, so the file's own is found first (the setting that reproduces the unedited
file exactly). ruamel files the comment lines after a list's last item under that item, which
would put a new item *below* a following comment block; the comment is moved to the new item.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from ..errors import UserError

logger = logging.getLogger(__name__)

WIDTH = 1_000_000  # never fold a long example over several lines


class IntentEditError(UserError):
    """The intent file cannot be edited (unreadable, unexpected shape, not writable)."""


@dataclass(frozen=True)
class ExampleEdit:
    """An example written into a file, with what is needed to take it back."""

    path: Path
    line: int
    original: str

    def undo(self) -> None:
        _write(self.path, self.original)


def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _matching_yaml(source: str) -> YAML:
    """The indentation setting under which the untouched file comes back byte for byte."""
    _, sequence, offset = load_yaml_guess_indent(source)
    candidates = [(2, sequence, offset), (sequence, sequence, offset), (2, 2, 0), (4, 4, 2), (2, 4, 2)]
    for mapping, seq, off in dict.fromkeys(candidates):
        yaml = _yaml(mapping, seq, off)
        if _dump(yaml, yaml.load(source)) == source:
            return yaml
    logger.warning("intent file layout not reproducible exactly; the edit may re-indent it")
    return _yaml(*candidates[0])


def _append(examples: CommentedSeq, text: str) -> None:
    """Append, keeping the last item's end-of-line comment on it and any comment lines below the new item."""
    last = len(examples) - 1
    examples.append(text)
    tokens = examples.ca.items.get(last)
    if not tokens or tokens[0] is None:
        return
    comment = tokens[0]
    if comment.value.startswith("\n"):  # no end-of-line comment: everything after moves down
        examples.ca.items[last + 1] = examples.ca.items.pop(last)
        return
    same_line, _, below = comment.value.partition("\n")
    if below:
        comment.value = same_line + "\n"
        examples.ca.items[last + 1] = [CommentToken("\n" + below, comment.start_mark, None), None, None, None]


def _intent(data: Any, intent_id: str, path: Path) -> Any:
    intents = data.get("intents") if isinstance(data, dict) else None
    for intent in intents or ():
        if isinstance(intent, dict) and intent.get("id") == intent_id:
            if not isinstance(intent.get("examples"), CommentedSeq):
                raise IntentEditError(f"{path}: intent '{intent_id}' has no list of examples to add to")
            return intent
    raise IntentEditError(f"{path}: no intent '{intent_id}' in this file")


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so the bot's file watcher never reads half a file."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, draft = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(draft, mode)
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


def add_example(path: Path, intent_id: str, text: str) -> ExampleEdit:
    """Append ``text`` to the examples of ``intent_id`` in ``path``; returns the edit (with its line)."""
    try:
        source = path.read_text(encoding="utf-8")
        yaml = _matching_yaml(source)
        data = yaml.load(source)
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise IntentEditError(f"{path}: cannot read: {exc}") from None
    examples = _intent(data, intent_id, path)["examples"]
    _append(examples, text)
    try:
        _write(path, _dump(yaml, data))
    except OSError as exc:
        raise IntentEditError(f"{path}: cannot write: {exc}") from None
    return ExampleEdit(path, _line_of(path, intent_id), source)


def _line_of(path: Path, intent_id: str) -> int:
    """The new (last) example's line, read back from the file as written."""
    yaml = YAML()
    examples = _intent(yaml.load(path.read_text(encoding="utf-8")), intent_id, path)["examples"]
    return examples.lc.item(len(examples) - 1)[0] + 1
