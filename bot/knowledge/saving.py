"""Saving a change to the knowledge: the whole check, the evaluation before and after, a revision.

Every way staff change the knowledge — an edit in the console, an inbox accept, a revert, an
import of a folder — goes through `save`: the new files must pass `intents check` without errors
(else `SaveRefused` says why, naming file and line), the eval set is run on the old and the new
knowledge, and only then is the revision added (and every worker told). Nothing is written when
the files did not change.
"""

from __future__ import annotations

import asyncio
import difflib
from dataclasses import dataclass
from pathlib import Path

from ..core.knowledge import Knowledge, Problem
from ..errors import UserError
from ..evaluation import load_examples
from ..store.revisions import KnowledgeRevisions, Revision
from ..store.sql import SQLStore
from .eval_diff import EvalDiff, compare
from .folder import Files, check_files, load_files

DIFF_CONTEXT = 2
FIRST_SUMMARY = "意图文件夹的原样内容（第一次修改之前）"


class SaveRefused(UserError):
    """The change breaks the knowledge check (or changes nothing); ``problems`` says where."""

    def __init__(self, message: str, problems: list[Problem] = ()):
        self.problems = list(problems)
        super().__init__(message + "".join(f"\n{p}" for p in self.problems))


@dataclass(frozen=True)
class FileDiff:
    name: str
    lines: tuple[str, ...]  # unified diff lines, "+"/"-"/" " first


@dataclass(frozen=True)
class SaveResult:
    revision: Revision
    knowledge: Knowledge
    warnings: tuple[Problem, ...]
    evaluation: EvalDiff | None
    diff: tuple[FileDiff, ...]


def diff_files(old: Files, new: Files, context: int = DIFF_CONTEXT) -> tuple[FileDiff, ...]:
    """What changed, file by file (added and removed files too), in name order."""
    diffs = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name, ""), new.get(name, "")
        if before != after:
            lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=context)
            diffs.append(FileDiff(name, tuple(list(lines)[2:])))  # drop the ---/+++ header
    return tuple(diffs)


def _evaluate(before: Files, after: Knowledge, eval_file: Path | None) -> EvalDiff | None:
    if eval_file is None:
        return None
    return compare(load_files(before), after, load_examples(eval_file))


def checked(files: Files) -> tuple[Knowledge, list[Problem]]:
    """The knowledge in ``files`` and its warnings, or `SaveRefused` with the errors."""
    knowledge, problems = check_files(files)
    errors = [p for p in problems if p.severity == "error"]
    if knowledge is None or errors:
        raise SaveRefused("保存被拒绝：修改后的知识库没有通过检查（intents check），原因：", errors)
    return knowledge, [p for p in problems if p.severity != "error"]


async def save(
    store: SQLStore,
    before: Files,
    parent: int,
    files: Files,
    author: str,
    summary: str,
    eval_file: Path | None = None,
    reverts: int | None = None,
) -> SaveResult:
    """Check ``files``, evaluate ``before`` against them, and store them as the revision after ``parent``."""
    if parent and dict(files) == dict(before):  # the first revision may hold the folder as it is
        raise SaveRefused("没有需要保存的改动")
    knowledge, warnings = await asyncio.to_thread(checked, files)
    evaluation = await asyncio.to_thread(_evaluate, before, knowledge, eval_file)
    revisions = KnowledgeRevisions(store)
    if not parent and dict(files) != dict(before):
        # The first change to a folder-served bot: keep the folder as it was as revision 1, so
        # this change, like every later one, can be reverted.
        parent = (await revisions.add(before, 0, author, FIRST_SUMMARY)).id
    revision = await revisions.add(files, parent, author, summary, reverts)
    diff = diff_files(before, files)
    touched = {d.name for d in diff}  # advice about files this change did not touch is old news
    return SaveResult(revision, knowledge, tuple(w for w in warnings if w.path.name in touched), evaluation, diff)


async def restore(store: SQLStore, revision_id: int, author: str, eval_file: Path | None = None) -> SaveResult:
    """A new revision holding exactly what revision ``revision_id`` held (one-click revert)."""
    revisions = KnowledgeRevisions(store)
    target, newest = await revisions.get(revision_id), await revisions.latest()
    if target is None or newest is None:
        raise SaveRefused(f"没有第 {revision_id} 版")
    files, current = await revisions.texts(target), await revisions.texts(newest)
    return await save(store, current, newest.id, files, author, f"恢复到第 {revision_id} 版", eval_file, reverts=revision_id)
