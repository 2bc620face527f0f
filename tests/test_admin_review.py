"""The review queue on a real log and a copy of intents/: clusters, accept (YAML kept), dismiss."""

from __future__ import annotations

import asyncio
import difflib
import json
import shutil
from pathlib import Path

import pytest

from bot.admin.clusters import cluster
from bot.admin.intent_edit import add_example
from bot.admin.review import ReviewError, accept, dismiss, suggest
from bot.cli import main
from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.store.base import InquiryFilter
from bot.store.sqlite import SQLiteStore

from .admin_data import fill
from .conftest import EVAL_SET

DOG = ("我家狗被邻居家的狗咬了谁赔", "邻居的狗把我家狗咬伤了找哪个赔", "狗被邻居狗咬了赔偿找谁")
DEPOSIT = ("房东不退押金怎么办", "押金房东不退给我", "房东扣着押金不退咋办")
UNRELATED = ("万州烤鱼哪家好吃", "驾照扣分怎么处理", "公司不给交社保", "楼上漏水谁负责")


@pytest.fixture
def copy_matcher(intents_copy: Path) -> Matcher:
    return Matcher(load_knowledge(intents_copy))


def queue_rows(texts: tuple[str, ...]) -> tuple:
    return tuple(("2025-03-01", text, None, None) for text in texts)


async def test_rephrasings_form_one_cluster_and_unrelated_questions_stay_apart(tmp_path: Path, copy_matcher: Matcher) -> None:
    db = tmp_path / "log.sqlite3"
    texts = (DOG[0], UNRELATED[0], DEPOSIT[0], DOG[1], UNRELATED[1], DEPOSIT[1], UNRELATED[2], DOG[2], DEPOSIT[2], UNRELATED[3])
    ids = await fill(db, queue_rows(texts))
    store = await SQLiteStore.open(db)
    clusters = await suggest(store, copy_matcher)
    await store.close()
    by_texts = {frozenset(c.texts): c for c in clusters}
    assert frozenset(DOG) in by_texts and frozenset(DEPOSIT) in by_texts
    for text in UNRELATED:
        assert frozenset({text}) in by_texts
    dog = by_texts[frozenset(DOG)]
    assert dog.count == 3 and dog.ids == tuple(ids[texts.index(t)] for t in DOG)
    assert dog.nearest_intent in copy_matcher.knowledge  # the closest intent even below the threshold
    assert [c.count for c in clusters] == [3, 3, 1, 1, 1, 1]
    assert clusters[0].ids[0] < clusters[1].ids[0]  # equal sizes: the older cluster first


def test_clustering_is_deterministic_and_keeps_duplicates_together() -> None:
    texts = [DOG[0], UNRELATED[0], DOG[0], DOG[2], "😂😂", "。。。", UNRELATED[0]]
    first = cluster(texts)
    assert first == cluster(list(texts))
    assert [0, 2, 3] in first and [1, 6] in first


async def test_the_queue_is_unmatched_or_thumbs_down_and_not_yet_reviewed(tmp_path: Path, copy_matcher: Matcher) -> None:
    db = tmp_path / "log.sqlite3"
    rows = (
        ("2025-03-01", "法律援助怎么申请", "legal_aid", "up"),
        ("2025-03-01", "公证书多久能拿到", "notarization", "down"),
        ("2025-03-01", DOG[0], None, None),
        ("2025-03-02", DOG[1], None, None),
    )
    ids = await fill(db, rows)
    store = await SQLiteStore.open(db)
    await store.set_review(ids[3], "dismissed")
    clusters = await suggest(store, copy_matcher)
    limited = await suggest(store, copy_matcher, limit=1)
    await store.close()
    assert sorted(i for c in clusters for i in c.ids) == [ids[1], ids[2]]
    assert len(limited) == 1
    record = clusters[0].as_dict()
    assert set(record) >= {"count", "texts", "ids", "nearest_intent"}
    json.dumps(record)


async def test_an_empty_queue_gives_no_clusters(tmp_path: Path, copy_matcher: Matcher) -> None:
    store = await SQLiteStore.open(tmp_path / "log.sqlite3")
    assert await suggest(store, copy_matcher) == []
    await store.close()


TRICKY_YAML = """\
# Top comment: keep me.
intents:
  - id: first
    title: 第一   # title note
    examples:
      - 一个例子
      - "带引号的例子"   # why quoted
      # more examples to come
    summary: |
      第一行
      第二行
  - id: second
    title: 第二
    summary: 回答
    examples: [甲, 乙]
  - id: third
    title: 第三
    summary: 回答
    examples:
      - 丙

# trailing comment
"""


@pytest.mark.parametrize("intent_id", ["first", "second", "third"])
def test_adding_an_example_only_adds_that_line(tmp_path: Path, intent_id: str) -> None:
    path = tmp_path / "tricky.yaml"
    path.write_text(TRICKY_YAML, encoding="utf-8")
    edit = add_example(path, intent_id, "新问题: 要引号吗 #不是注释")
    after = path.read_text(encoding="utf-8")
    before_lines, after_lines = TRICKY_YAML.splitlines(), after.splitlines()
    changes = [op for op in difflib.SequenceMatcher(None, before_lines, after_lines).get_opcodes() if op[0] != "equal"]
    if intent_id == "second":  # a flow-style list grows on its own line
        line = before_lines.index("    examples: [甲, 乙]")
        assert changes == [("replace", line, line + 1, line, line + 1)]
        assert after_lines[line] == "    examples: [甲, 乙, '新问题: 要引号吗 #不是注释']"
    else:
        assert [op[0] for op in changes] == ["insert"] and changes[0][4] - changes[0][3] == 1
        assert after_lines[edit.line - 1].strip() == "- '新问题: 要引号吗 #不是注释'"
    assert [line for line in after_lines if "#" in line and "新问题" not in line] == [line for line in before_lines if "#" in line]
    edit.undo()
    assert path.read_text(encoding="utf-8") == TRICKY_YAML


async def _accept_setup(tmp_path: Path, intents_copy: Path, with_eval: bool = False) -> tuple[Path, list[int]]:
    """The dog questions in a log; optionally the eval set where accept looks for it by default."""
    db = tmp_path / "log.sqlite3"
    ids = await fill(db, queue_rows(DOG))
    if with_eval:
        (intents_copy.parent / "tests" / "data").mkdir(parents=True)
        shutil.copy(EVAL_SET, intents_copy.parent / "tests" / "data" / "eval.jsonl")
    return db, ids


async def test_accept_teaches_the_intent_keeps_the_file_and_reports_accuracy(tmp_path: Path, intents_copy: Path) -> None:
    db, ids = await _accept_setup(tmp_path, intents_copy, with_eval=True)
    path = intents_copy / "mediation.yaml"
    before = path.read_text(encoding="utf-8")
    store = await SQLiteStore.open(db)
    result = await accept(store, ids[1], "mediation", intents_copy)
    inquiry = await store.get(ids[1])
    queue = await store.inquiries(InquiryFilter(needs_review=True))
    await store.close()
    after = path.read_text(encoding="utf-8").splitlines()
    assert (result.file, result.text, inquiry.review) == (path, DOG[1], "accepted")
    assert after[result.line - 1].strip() == f"- {DOG[1]}"
    assert after[: result.line - 1] + after[result.line :] == before.splitlines()
    assert 0 < result.accuracy_before <= 1 and 0 < result.accuracy_after <= 1
    assert result.eval_file == intents_copy.parent / "tests" / "data" / "eval.jsonl"
    assert Matcher(result.knowledge).match(DOG[1]).intent == "mediation"
    assert ids[1] not in [i.id for i in queue]


async def test_accept_refuses_duplicates_unknown_ids_and_unknown_intents(tmp_path: Path, intents_copy: Path) -> None:
    db, ids = await _accept_setup(tmp_path, intents_copy)
    store = await SQLiteStore.open(db)
    await accept(store, ids[0], "mediation", intents_copy)
    snapshot = {p.name: p.read_bytes() for p in intents_copy.iterdir()}
    with pytest.raises(ReviewError, match="已经是意图 mediation 的例句"):
        await accept(store, ids[0], "legal_aid", intents_copy)
    with pytest.raises(ReviewError, match="没有意图“no_such_intent”"):
        await accept(store, ids[1], "no_such_intent", intents_copy)
    with pytest.raises(ReviewError, match="没有编号为 999 的咨询"):
        await accept(store, 999, "mediation", intents_copy)
    reviews = [(await store.get(i)).review for i in ids]
    await store.close()
    assert {p.name: p.read_bytes() for p in intents_copy.iterdir()} == snapshot
    assert reviews == ["accepted", None, None]


async def test_accept_restores_the_file_when_the_intents_check_fails(tmp_path: Path, intents_copy: Path) -> None:
    """Someone left a cross-intent duplicate (a check error the loader tolerates): accept must not pile on."""
    db, ids = await _accept_setup(tmp_path, intents_copy)
    knowledge = load_knowledge(intents_copy)
    add_example(knowledge["legal_aid"].file, "legal_aid", knowledge["mediation"].examples[0])
    target = intents_copy / "notarization.yaml"
    before = target.read_bytes()
    store = await SQLiteStore.open(db)
    with pytest.raises(ReviewError, match="已恢复") as error:
        await accept(store, ids[2], "notarization", intents_copy)
    review = (await store.get(ids[2])).review
    await store.close()
    assert "同一句不能属于两个意图" in str(error.value)
    assert target.read_bytes() == before and review is None


async def test_dismiss_takes_an_inquiry_out_of_the_queue(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    ids = await fill(db, queue_rows(DOG))
    store = await SQLiteStore.open(db)
    await dismiss(store, ids[0])
    await dismiss(store, ids[0])  # a double tap in Telegram is harmless
    await store.set_review(ids[1], "accepted")
    with pytest.raises(ReviewError, match="已经被采纳"):
        await dismiss(store, ids[1])
    with pytest.raises(ReviewError, match="没有编号为 999 的咨询"):
        await dismiss(store, 999)
    queue = [i.id for i in await store.inquiries(InquiryFilter(needs_review=True))]
    await store.close()
    assert queue == [ids[2]]


def test_review_commands_print_results_and_plain_errors(tmp_path: Path, intents_copy: Path, capsys) -> None:
    db = tmp_path / "log.sqlite3"
    ids = asyncio.run(fill(db, queue_rows(DOG + UNRELATED[:1])))
    common = ["--db", str(db), "--intents", str(intents_copy)]
    assert main(["review", "suggest", *common]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#1  3 次（3 种说法）") and f"咨询编号：{ids[0]}, {ids[1]}, {ids[2]}" in out
    assert main(["review", "accept", str(ids[3]), "--intent", "legal_aid", *common]) == 0
    out = capsys.readouterr().out
    assert f"已把咨询 {ids[3]} 加为意图 legal_aid 的例句" in out and "legal_aid.yaml:" in out
    assert "评估准确率（" in out and " → " in out
    assert main(["review", "dismiss", str(ids[1]), "--db", str(db)]) == 0
    assert f"已忽略咨询 {ids[1]}" in capsys.readouterr().out
    assert main(["review", "dismiss", "999", "--db", str(db)]) == 2
    assert capsys.readouterr().err.strip() == "legalbot: 没有编号为 999 的咨询"
    assert main(["review", "suggest", "--json", *common]) == 0
    assert [c["ids"] for c in json.loads(capsys.readouterr().out)] == [[ids[0], ids[2]]]
