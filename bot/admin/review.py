"""The review queue: unmatched and 👎 inquiries, grouped into proposals an admin accepts or dismisses.

Accepting adds the inquiry's (already redacted) text as an example of an intent, so the bot
answers that phrasing from then on. The edit must leave the intents passing `intents check`
(else the file is restored), and the eval set's accuracy before and after shows whether it helped.
CPU-heavy steps (matching, checking, evaluating) run in a worker thread so a running bot keeps
answering while an admin reviews from Telegram.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..core.knowledge import Knowledge, KnowledgeError, Problem, default_intents_dir, load_knowledge
from ..core.matcher import Matcher
from ..core.normalise import clean_text
from ..errors import UserError
from ..evaluation import evaluate, load_examples
from ..intent_check import check_intents
from ..store.base import Inquiry, InquiryFilter, InquiryStore
from ..store.revisions import KnowledgeRevisions
from ..store.sql import SQLStore
from .clusters import SIMILARITY, cluster
from .intent_edit import ExampleEdit, add_example

EVAL_FILE = Path("tests") / "data" / "eval.jsonl"  # relative to the intents folder's parent
ACCEPT_ACTOR = "review accept（命令行或 Telegram）"  # who an accept outside the console is written down as
_EDIT_LOCK = threading.Lock()  # one accept at a time edits the intent files


class ReviewError(UserError):
    """An accept or dismiss that cannot be done as asked (unknown id, duplicate example, ...)."""


@dataclass(frozen=True)
class Cluster:
    """Similar questions from the queue: most frequent text first, and the intent they come closest to."""

    ids: tuple[int, ...]
    texts: tuple[str, ...]
    nearest_intent: str | None
    nearest_score: float

    @property
    def count(self) -> int:
        return len(self.ids)

    def as_dict(self) -> dict:
        return {
            "count": self.count,
            "texts": list(self.texts),
            "ids": list(self.ids),
            "nearest_intent": self.nearest_intent,
            "nearest_score": self.nearest_score,
        }


def _nearest(matcher: Matcher, texts: list[str]) -> tuple[str | None, float]:
    """The intent with the highest total score over the members' top candidates (even below threshold)."""
    totals: defaultdict[str, float] = defaultdict(float)
    for text in texts:
        for candidate in matcher.match(text).candidates:
            totals[candidate.intent] += candidate.score
    if not totals:
        return None, 0.0
    intent = min(totals, key=lambda i: (-totals[i], i))
    return intent, round(totals[intent] / len(texts), 1)


def build_clusters(inquiries: list[Inquiry], matcher: Matcher, threshold: float = SIMILARITY) -> list[Cluster]:
    """Group inquiries by similar text; background rarity comes from the matcher's own examples."""
    texts = [i.text for i in inquiries]
    background = [example for intent in matcher.knowledge.intents for example in intent.examples]
    clusters = []
    for members in cluster(texts, background, threshold):
        member_texts = [texts[m] for m in members]
        distinct = [text for text, _ in Counter(member_texts).most_common()]
        intent, score = _nearest(matcher, distinct)
        clusters.append(Cluster(tuple(inquiries[m].id for m in members), tuple(distinct), intent, score))
    return clusters


async def suggest(store: InquiryStore, matcher: Matcher, limit: int | None = None, threshold: float = SIMILARITY) -> list[Cluster]:
    """The review queue (unmatched or 👎, not yet reviewed) as clusters, biggest first; at most ``limit``."""
    queue = await store.inquiries(InquiryFilter(needs_review=True))
    clusters = await asyncio.to_thread(build_clusters, queue, matcher, threshold)
    return clusters[:limit] if limit else clusters


@dataclass(frozen=True)
class AcceptResult:
    """What an accept did; ``knowledge`` is the new intent set, for a running bot to reload."""

    inquiry_id: int
    intent_id: str
    text: str
    file: Path
    line: int
    knowledge: Knowledge
    warnings: tuple[str, ...]
    eval_file: Path | None
    accuracy_before: float | None
    accuracy_after: float | None


def default_eval_file(intents_dir: Path) -> Path | None:
    """The eval set beside the intents' project (<intents>/../tests/data/eval.jsonl), else the
    shipped one, so an admin working on a copy of the intents still sees before/after accuracy."""
    candidates = (intents_dir.resolve().parent / EVAL_FILE, default_intents_dir().parent / EVAL_FILE)
    return next((path for path in candidates if path.is_file()), None)


def _already_there(knowledge: Knowledge, text: str) -> str | None:
    key = clean_text(text)
    for intent in knowledge.intents:
        for example, line in zip(intent.examples, intent.example_lines):
            if clean_text(example) == key:
                return f"“{text}”已经是意图 {intent.id} 的例句（{intent.file}:{line}）"
    return None


def _check_edit(edit: ExampleEdit, intents_dir: Path, intent_id: str, text: str) -> tuple[Knowledge, list[Problem]]:
    """The intents as edited, or `ReviewError` when `intents check` finds errors in them."""
    knowledge, problems = check_intents(intents_dir)
    errors = [str(p) for p in problems if p.severity == "error"]
    if knowledge is not None and not errors and knowledge[intent_id].examples[-1] != text:
        errors.append(f"{edit.path}:{edit.line}：写入的例句读回来与“{text}”不一致")
    if knowledge is None or errors:
        raise ReviewError(f"把“{text}”加入意图 {intent_id} 后意图检查不通过，已恢复 {edit.path}：\n" + "\n".join(errors))
    return knowledge, problems


def _accept_in_files(inquiry_id: int, text: str, intent_id: str, intents_dir: Path, eval_file: Path | None) -> AcceptResult:
    try:
        knowledge = load_knowledge(intents_dir)
    except KnowledgeError as exc:
        raise ReviewError(f"{intents_dir} 中的意图文件无法加载，请先修正：\n{exc}") from None
    intent = knowledge.get(intent_id)
    if intent is None or intent.file is None:
        raise ReviewError(f"没有意图“{intent_id}”；可选：{'、'.join(knowledge.ids)}")
    if not clean_text(text):
        raise ReviewError(f"“{text}”去掉标点后没有文字，不能作为例句")
    if problem := _already_there(knowledge, text):
        raise ReviewError(problem)
    examples = load_examples(eval_file) if eval_file else None
    before = evaluate(Matcher(knowledge), examples)["accuracy"] if examples else None
    edit = add_example(intent.file, intent_id, text)
    try:
        new_knowledge, problems = _check_edit(edit, intents_dir, intent_id, text)
    except BaseException:
        edit.undo()
        raise
    warnings = [str(p) for p in problems if p.path == edit.path and p.line == edit.line]
    if examples and clean_text(text) in {clean_text(e.text) for e in examples}:
        warnings.append(f"注意：“{text}”也在评估集 {eval_file} 里，加入后的准确率会偏高")
    after = evaluate(Matcher(new_knowledge), examples)["accuracy"] if examples else None
    return AcceptResult(inquiry_id, intent_id, text, edit.path, edit.line, new_knowledge, tuple(warnings), eval_file, before, after)


async def accept(store: InquiryStore, inquiry_id: int, intent_id: str, intents_dir: Path, eval_file: Path | None = None) -> AcceptResult:
    """Add the inquiry's text as an example of ``intent_id`` and mark it accepted.

    ``eval_file`` defaults to `default_eval_file` (no before/after accuracy when there is none). Raises `ReviewError` for an unknown inquiry or intent, a text that is
    already an example, or an edit that would break the intents (the file is then restored).
    """
    inquiry = await store.get(inquiry_id)
    if inquiry is None:
        raise ReviewError(f"没有编号为 {inquiry_id} 的咨询")
    text = " ".join(inquiry.text.split())
    eval_file = eval_file or default_eval_file(intents_dir)
    if isinstance(store, SQLStore) and await KnowledgeRevisions(store).latest() is not None:
        return await _accept_as_revision(store, inquiry_id, text, intent_id, intents_dir, eval_file)

    def locked() -> AcceptResult:
        with _EDIT_LOCK:
            return _accept_in_files(inquiry_id, text, intent_id, intents_dir, eval_file)

    result = await asyncio.to_thread(locked)
    await store.set_review(inquiry_id, "accepted")
    return result


async def _accept_as_revision(store: SQLStore, inquiry_id: int, text: str, intent_id: str, intents_dir: Path, eval_file: Path | None) -> AcceptResult:
    """Once the knowledge lives in the database, an accept is a revision like the console's
    (every worker follows it); editing the folder would be overridden by the next reload."""
    from ..console import audit  # noqa: PLC0415 - the console's audit log, only once revisions are in use
    from .inbox import teach  # noqa: PLC0415 - the inbox builds on this module

    try:
        done = await teach(store, intents_dir, [inquiry_id], intent_id, text, ACCEPT_ACTOR, eval_file)
    except ReviewError:
        raise
    except UserError as exc:  # unknown intent, already an example, the check refused it, a stale base
        raise ReviewError(str(exc)) from None
    saved = done.saved
    assert saved is not None
    await audit.record(store, ACCEPT_ACTOR, "inbox.example", f"咨询 {inquiry_id}", {"inquiries": [inquiry_id]},
                       {"intent": intent_id, "example": text, "revision": saved.revision.id})
    intent = saved.knowledge[intent_id]
    evaluation = saved.evaluation
    return AcceptResult(
        inquiry_id, intent_id, text, Path(f"第 {saved.revision.id} 版") / (intent.file or Path()).name, intent.example_lines[-1],
        saved.knowledge, tuple(str(w) for w in saved.warnings), eval_file if evaluation else None,
        evaluation.accuracy_before if evaluation else None, evaluation.accuracy_after if evaluation else None,
    )


async def dismiss(store: InquiryStore, inquiry_id: int) -> Inquiry:
    """Take an inquiry out of the queue without teaching the bot anything (pressing twice is harmless)."""
    inquiry = await store.get(inquiry_id)
    if inquiry is None:
        raise ReviewError(f"没有编号为 {inquiry_id} 的咨询")
    if inquiry.review == "accepted":
        raise ReviewError(f"咨询 {inquiry_id} 已经被采纳为意图例句；要撤销请直接编辑意图文件")
    await store.set_review(inquiry_id, "dismissed")
    return inquiry
