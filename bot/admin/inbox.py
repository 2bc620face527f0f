"""The staff console's inbox: what residents asked that needs a look, in clusters that keep their ids.

An inquiry needs a look when it was not answered (unmatched), got 👎, was answered with little
confidence or with two intents nearly tied (ambiguous), or was answered and followed within
minutes by a question from the same person that the bot could not place (the resident
rephrased: the answer probably missed). Guided flows left half-way are counted by how far
residents got (`abandoned_flows`): they carry no question to learn from. Similar questions are grouped (`bot.admin.clusters`);
the cluster an inquiry joins is written down (``inbox_items``), so a cluster keeps its id — the
id of the inquiry that founded it — as new questions arrive and old ones are handled.

Actions, each on one inquiry or a whole cluster at once (one *batch*, undone as one): add the
text as an example of an intent (a knowledge revision, checked and evaluated like every save),
mark it out of scope (an example of the out-of-scope intent, so the bot learns to decline it),
dismiss. Texts are redacted again as they are stored, so a name a staff member types back into
the editable text does not reach the knowledge either.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..core.knowledge import Intent, Knowledge
from ..core.matcher import Matcher
from ..core.normalise import clean_text
from ..core.session import FLOW_TIMEOUT_SECONDS, Session
from ..errors import UserError
from ..flows import all_flows
from ..knowledge.edits import with_example, without_example
from ..knowledge.folder import load_files
from ..knowledge.saving import SaveResult, save
from ..knowledge.source import base
from ..store.base import Inquiry, InquiryFilter, now
from ..store.redact import redact
from ..store.sql import COLUMNS, SQLStore
from .clusters import SIMILARITY, cluster
from .review import _nearest

INBOX_DAYS = 30  # how far back the inbox looks
LOW_CONFIDENCE = 51.0  # an answer scored below this is worth a look (the bot answers from 45)
REPHRASE_SECONDS = 600  # a fallback this soon after an answer, from the same person: a rephrasing
CONTEXT_SECONDS = 1800  # the conversation shown around an item
CONTEXT_TURNS = 3  # turns before and after it
OUT_OF_SCOPE = "out_of_scope"  # the intent "mark as out of scope" teaches

REASONS = {
    "unmatched": "未能回答",
    "down": "居民点了 👎",
    "low": "把握不大",
    "ambiguous": "两个意图分数接近",
    "rephrased": "答复后居民换了说法再问，仍未答上",
}
ACTIONS = {"example": "加为例句", "out_of_scope": "标为超出范围", "dismiss": "忽略"}


class InboxError(UserError):
    """An inbox action that cannot be done as asked."""


@dataclass(frozen=True)
class InboxItem:
    inquiry: Inquiry
    reasons: tuple[str, ...]
    cluster_id: int

    @property
    def reason_names(self) -> list[str]:
        return [REASONS[r] for r in self.reasons]


@dataclass(frozen=True)
class InboxCluster:
    id: int
    items: tuple[InboxItem, ...]
    nearest_intent: str | None
    nearest_score: float

    @property
    def texts(self) -> list[str]:
        """Distinct texts, most frequent first."""
        counts: dict[str, int] = defaultdict(int)
        for item in self.items:
            counts[item.inquiry.text] += 1
        return sorted(counts, key=lambda t: -counts[t])

    @property
    def reasons(self) -> list[str]:
        return sorted({r for item in self.items for r in item.reasons}, key=list(REASONS).index)


@dataclass(frozen=True)
class Batch:
    """One press of an inbox button: what was done to which inquiries, and whether it was undone."""

    id: str
    time: dt.datetime
    actor: str
    action: str
    inquiry_ids: tuple[int, ...]
    intent: str | None
    text: str | None
    revision: int | None
    undone: bool


def stored_form(text: str) -> str:
    """The text exactly as it would be stored as an example: one line, redacted."""
    return redact(" ".join(text.split()))


def _reasons(inquiry: Inquiry, matcher: Matcher, rephrased: bool) -> tuple[str, ...]:
    found = []
    if inquiry.intent is None:
        found.append("unmatched")
    if inquiry.feedback == "down":
        found.append("down")
    if inquiry.intent is not None and inquiry.score < LOW_CONFIDENCE:
        found.append("low")
    top = inquiry.candidates[:2]
    if inquiry.intent is not None and len(top) == 2 and top[1]["score"] >= matcher.threshold and top[0]["score"] - top[1]["score"] < matcher.gap:
        found.append("ambiguous")
    if rephrased:
        found.append("rephrased")
    return tuple(found)


def _rephrased(inquiries: list[Inquiry]) -> set[int]:
    """Answered inquiries followed soon by an unanswered one from the same person."""
    by_person: defaultdict[tuple[str, str], list[Inquiry]] = defaultdict(list)
    for inquiry in inquiries:
        by_person[(inquiry.channel, inquiry.user)].append(inquiry)
    flagged = set()
    for turns in by_person.values():
        for first, second in zip(turns, turns[1:]):
            if first.intent is not None and second.intent is None and (second.time - first.time).total_seconds() <= REPHRASE_SECONDS:
                flagged.add(first.id)
    return flagged


async def _assigned(store: SQLStore) -> dict[int, int]:
    rows = await store.select("SELECT inquiry_id, cluster_id FROM inbox_items")
    return {int(r["inquiry_id"]): int(r["cluster_id"]) for r in rows}


def _place(needy: list[Inquiry], assigned: dict[int, int], knowledge: Knowledge) -> dict[int, int]:
    """Cluster ids for the inquiries not yet placed: the cluster most of their group's placed
    members are in, else a new one named after the group's oldest inquiry."""
    background = [example for intent in knowledge.intents for example in intent.examples]
    placed: dict[int, int] = {}
    for group in cluster([i.text for i in needy], background, SIMILARITY):
        members = [needy[m].id for m in group]
        known = [assigned[m] for m in members if m in assigned]
        target = max(set(known), key=known.count) if known else min(members)
        placed.update({m: target for m in members if m not in assigned})
    return placed


async def inbox(store: SQLStore, matcher: Matcher, today: dt.date | None = None) -> list[InboxCluster]:
    """The inbox as clusters, biggest first; each item's reasons, each cluster's nearest intent."""
    since = (today or now().date()) - dt.timedelta(days=INBOX_DAYS)
    recent = await store.inquiries(InquiryFilter(since=since))
    rephrased = _rephrased(recent)
    items = [(i, _reasons(i, matcher, i.id in rephrased)) for i in recent if i.review is None]
    items = [(i, r) for i, r in items if r]
    assigned = await _assigned(store)
    placed = await asyncio.to_thread(_place, [i for i, _ in items], assigned, matcher.knowledge)
    for inquiry_id, cluster_id in placed.items():
        await store.change(
            "INSERT INTO inbox_items (inquiry_id, cluster_id) VALUES (?, ?) ON CONFLICT (inquiry_id) DO NOTHING", inquiry_id, cluster_id
        )
    assigned.update(placed)
    grouped: defaultdict[int, list[InboxItem]] = defaultdict(list)
    for inquiry, reasons in items:
        grouped[assigned[inquiry.id]].append(InboxItem(inquiry, reasons, assigned[inquiry.id]))

    def described(cluster_id: int, members: list[InboxItem]) -> InboxCluster:
        texts = list(dict.fromkeys(m.inquiry.text for m in members))
        intent, score = _nearest(matcher, texts)
        return InboxCluster(cluster_id, tuple(members), intent, score)

    clusters = await asyncio.to_thread(lambda: [described(c, m) for c, m in grouped.items()])
    clusters.sort(key=lambda c: (-len(c.items), c.id))
    return clusters


@dataclass(frozen=True)
class AbandonedFlow:
    """Residents who started a guided flow and left it half-way, by how far they got."""

    flow: str
    title: str
    answered: int  # questions of the flow answered before leaving
    count: int


async def abandoned_flows(store: SQLStore, now_s: float | None = None) -> list[AbandonedFlow]:
    """Sessions left inside a flow for longer than a flow lasts. Sessions are kept in the store
    only where workers share them (`legalbot serve`), and for a day; elsewhere this is empty."""
    cutoff = (time.time() if now_s is None else now_s) - FLOW_TIMEOUT_SECONDS
    rows = await store.select("SELECT data FROM sessions WHERE updated_at < ?", cutoff)
    titles = {flow.name: flow.title for flow in all_flows()}
    counts: defaultdict[tuple[str, int], int] = defaultdict(int)
    for row in rows:
        session = Session.from_dict(json.loads(row["data"]))
        if session.flow in titles:
            state = session.state
            counts[(session.flow, len(state.get("answers") or []) + (1 if state.get("kind") else 0))] += 1
    return sorted((AbandonedFlow(f, titles[f], n, c) for (f, n), c in counts.items()), key=lambda a: (-a.count, a.flow, a.answered))


async def context(store: SQLStore, inquiry: Inquiry, turns: int = CONTEXT_TURNS) -> tuple[list[Inquiry], list[Inquiry]]:
    """The same person's redacted turns just before and after an inquiry (never their id)."""
    window = dt.timedelta(seconds=CONTEXT_SECONDS)
    rows = await store.select(
        f'SELECT {COLUMNS} FROM inquiries WHERE channel = ? AND "user" = ? AND time >= ? AND time <= ? AND id <> ? ORDER BY id',
        inquiry.channel,
        inquiry.user,
        store.dialect.time_param(inquiry.time - window),
        store.dialect.time_param(inquiry.time + window),
        inquiry.id,
    )
    around = [store._inquiry(row) for row in rows]  # noqa: SLF001 - the store's own row reader
    return [i for i in around if i.id < inquiry.id][-turns:], [i for i in around if i.id > inquiry.id][:turns]


async def _inquiries(store: SQLStore, ids: list[int]) -> list[Inquiry]:
    if not ids:
        raise InboxError("没有选中任何咨询")
    found = [await store.get(i) for i in dict.fromkeys(ids)]
    missing = [str(i) for i, f in zip(dict.fromkeys(ids), found) if f is None]
    if missing:
        raise InboxError(f"找不到编号为 {'、'.join(missing)} 的咨询（可能已按保存期限删除）")
    return [f for f in found if f is not None]


async def _record(store: SQLStore, batch: str, actor: str, action: str, inquiries: list[Inquiry], intent: str | None, text: str | None, revision: int | None) -> None:
    for inquiry in inquiries:
        await store.change(
            "INSERT INTO inbox_actions (batch, time, actor, action, inquiry_id, intent, text, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            batch, store.dialect.time_param(now()), actor, action, inquiry.id, intent, text, revision,
        )
        await store.set_review(inquiry.id, "dismissed" if action == "dismiss" else "accepted")


@dataclass(frozen=True)
class Done:
    batch: str
    saved: SaveResult | None  # the knowledge revision an example made


def _example_of(knowledge: Knowledge, text: str) -> Intent | None:
    key = clean_text(text)
    return next((i for i in knowledge.intents if any(clean_text(e) == key for e in i.examples)), None)


def out_of_scope_intent(knowledge: Knowledge) -> str:
    """The general out-of-scope intent (others flagged so, like other legal fields, are narrower)."""
    flagged = [i.id for i in knowledge.intents if i.out_of_scope]
    found = OUT_OF_SCOPE if OUT_OF_SCOPE in flagged else next(iter(flagged), None)
    if found is None:
        raise InboxError("知识库里没有“超出范围”意图（out_of_scope: true），无法标为超出范围")
    return found


async def teach(
    store: SQLStore, directory: Path, ids: list[int], intent_id: str | None, text: str, actor: str, eval_file: Path | None = None
) -> Done:
    """Add ``text`` (redacted again) as an example of ``intent_id`` — None: the out-of-scope
    intent — and mark the inquiries handled, as one batch."""
    inquiries = await _inquiries(store, ids)
    example = stored_form(text)
    if not clean_text(example):
        raise InboxError(f"“{text}”去掉标点后什么也不剩，不能作为例句")
    parent, before = await base(store, directory)
    knowledge = await asyncio.to_thread(load_files, before)
    action = "example" if intent_id is not None else "out_of_scope"
    intent_id = intent_id or out_of_scope_intent(knowledge)
    intent = knowledge.get(intent_id)
    if intent is None:
        raise InboxError(f"没有 id 为 {intent_id} 的意图")
    if owner := _example_of(knowledge, example):
        raise InboxError(f"“{example}”已经是“{owner.title}”（{owner.id}）的例句了")
    files = await asyncio.to_thread(with_example, before, intent_id, example)
    summary = f"收件箱：把“{example}”加为“{intent.title}”的例句"
    saved = await save(store, before, parent, files, actor, summary, eval_file)
    batch = uuid.uuid4().hex
    await _record(store, batch, actor, action, inquiries, intent_id, example, saved.revision.id)
    return Done(batch, saved)


async def dismiss(store: SQLStore, ids: list[int], actor: str) -> Done:
    inquiries = await _inquiries(store, ids)
    batch = uuid.uuid4().hex
    await _record(store, batch, actor, "dismiss", inquiries, None, None, None)
    return Done(batch, None)


async def batches(store: SQLStore, limit: int = 20, batch_id: str | None = None) -> list[Batch]:
    """The latest presses, newest first (or the one press ``batch_id``)."""
    where, params = ("WHERE batch = ? ", [batch_id]) if batch_id else ("", [])
    rows = await store.select(
        "SELECT batch, MIN(time) AS time, MIN(actor) AS actor, MIN(action) AS action, MIN(intent) AS intent, MIN(text) AS text,"
        f" MIN(revision) AS revision, MIN(undone_at) AS undone_at, MIN(id) AS first FROM inbox_actions {where}GROUP BY batch ORDER BY first DESC LIMIT ?",
        *params,
        limit,
    )
    found = []
    for row in rows:
        ids = await store.select("SELECT inquiry_id FROM inbox_actions WHERE batch = ? ORDER BY inquiry_id", row["batch"])
        found.append(
            Batch(row["batch"], store.dialect.time_value(row["time"]), row["actor"], row["action"], tuple(int(r["inquiry_id"]) for r in ids),
                  row["intent"], row["text"], row["revision"], row["undone_at"] is not None)
        )
    return found


async def undo(store: SQLStore, directory: Path, batch_id: str, actor: str, eval_file: Path | None = None) -> SaveResult | None:
    """Take a batch back: the inquiries return to the inbox, an added example leaves the knowledge
    (a new revision, checked like any save). Undoing twice is refused."""
    batch = next(iter(await batches(store, 1, batch_id)), None)
    if batch is None:
        raise InboxError("找不到这次操作")
    if batch.undone:
        raise InboxError("这次操作已经撤销过了")
    saved = None
    if batch.action != "dismiss" and batch.intent and batch.text:
        parent, before = await base(store, directory)
        files = await asyncio.to_thread(without_example, before, batch.intent, batch.text)
        if files != before:
            saved = await save(store, before, parent, files, actor, f"撤销收件箱操作：去掉例句“{batch.text}”", eval_file)
    for inquiry_id in batch.inquiry_ids:
        await store.change("UPDATE inquiries SET review = NULL WHERE id = ?", inquiry_id)
    await store.change("UPDATE inbox_actions SET undone_at = ?, undone_by = ? WHERE batch = ?", store.dialect.time_param(now()), actor, batch_id)
    return saved
