"""The intent folder as data: file name → text, the form a knowledge revision keeps.

The YAML files stay the import/export form (staff who keep the knowledge in git keep their
workflow); in between, the database holds them as text. Loading and checking a set of texts
writes them to a private temporary folder and runs the very code that loads and checks a folder
(`load_knowledge`, `check_intents`), so a revision passes exactly the checks `intents check`
makes. Problems and intents are then named by the file name alone (``legal_aid.yaml:12``), not
by the temporary path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..core.knowledge import SCHEMA_FILE, Knowledge, KnowledgeError, Problem, load_knowledge
from ..errors import UserError
from ..flows import all_flows
from ..intent_check import check_intents

Files = Mapping[str, str]


class FolderError(UserError):
    """An intent folder cannot be read or written."""


def _names(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *([directory / SCHEMA_FILE] if (directory / SCHEMA_FILE).exists() else [])])


def read_folder(directory: Path) -> dict[str, str]:
    """Every ``*.yaml`` file and the ``schema.json`` of an intent folder, as text."""
    if not directory.is_dir():
        raise FolderError(f"{directory}: 找不到这个意图文件夹")
    files: dict[str, str] = {}
    for path in _names(directory):
        try:
            files[path.name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FolderError(f"{path}: 无法读取：{exc}") from None
    if not any(name.endswith(".yaml") for name in files):
        raise FolderError(f"{directory}: 文件夹里没有意图文件（*.yaml）")
    return files


def write_folder(files: Files, directory: Path) -> list[Path]:
    """Write the files into ``directory`` (created if needed); YAML files there that the set does
    not hold are removed, so the folder is the revision, not a mix."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        stale = [p for p in directory.glob("*.yaml") if p.name not in files]
        written = []
        for name, text in files.items():
            path = directory / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
        for path in stale:
            path.unlink()
    except OSError as exc:
        raise FolderError(f"{directory}: 无法写入：{exc}") from None
    return written


@contextmanager
def materialised(files: Files) -> Iterator[Path]:
    """The files in a temporary folder that exists for the ``with`` block."""
    with tempfile.TemporaryDirectory(prefix="legalbot-knowledge-") as tmp:
        directory = Path(tmp)
        for name, text in files.items():
            if "/" in name or name.startswith("."):
                raise FolderError(f"{name}: 文件名不能包含路径")
            (directory / name).write_text(text, encoding="utf-8")
        yield directory


def _named(problem: Problem) -> Problem:
    return dataclasses.replace(problem, path=Path(problem.path.name))


def _detached(knowledge: Knowledge) -> Knowledge:
    intents = tuple(dataclasses.replace(i, file=Path(i.file.name) if i.file else None) for i in knowledge.intents)
    return Knowledge(intents, knowledge.contacts, None)


def load_files(files: Files) -> Knowledge:
    """The knowledge the files hold (flows checked too), or `KnowledgeError` naming file and line."""
    with materialised(files) as directory:
        try:
            return _detached(load_knowledge(directory, flow_names=[flow.name for flow in all_flows()]))
        except KnowledgeError as exc:
            raise KnowledgeError([_named(p) for p in exc.problems]) from None


def check_files(files: Files, today: dt.date | None = None) -> tuple[Knowledge | None, list[Problem]]:
    """`legalbot intents check` on the files: errors first, then warnings."""
    with materialised(files) as directory:
        knowledge, problems = check_intents(directory, today)
        return (_detached(knowledge) if knowledge else None), [_named(p) for p in problems]
