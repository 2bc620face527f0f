"""Knowledge revisions in the database: import/export through the real CLI, saving with the whole
check and the evaluation before and after, revert, one line of history, and a runtime serving
the newest revision rather than its folder."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app.runtime import Runtime
from bot.console import audit
from bot.conversation import Turn
from bot.core.knowledge import load_knowledge
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.knowledge.folder import load_files, read_folder
from bot.knowledge.saving import SaveRefused, restore, save
from bot.knowledge.source import base, newest
from bot.settings import Settings
from bot.store import open_store
from bot.store.revisions import KnowledgeRevisions, StaleRevision

from .conftest import EVAL_SET

NEW_SUMMARY = "调解的新说法：人民调解不收费，双方自愿。（依据《中华人民共和国人民调解法》第四条）"


def edited(files: dict[str, str], name: str, old: str, new: str) -> dict[str, str]:
    assert old in files[name]
    return {**files, name: files[name].replace(old, new, 1)}


def mediation_summary(files: dict[str, str]) -> str:
    return load_files(files)["mediation"].summary


def test_import_then_export_gives_back_the_folder_byte_for_byte(cli, intents_copy: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "log.sqlite3")
    imported = cli("intents", "import", str(intents_copy), "--db", db, "--author", "王老师")
    assert imported.returncode == 0, imported.stderr
    assert "成为第 1 版" in imported.stdout
    again = cli("intents", "import", str(intents_copy), "--db", db)
    assert again.returncode == 0 and "与最新版本相同，未导入" in again.stdout
    audited = asyncio.run(_audit(db))
    assert [(e.actor, e.action, e.after) for e in audited] == [("王老师", "knowledge.import", {"revision": 1})]
    out = tmp_path / "exported"
    exported = cli("intents", "export", str(out), "--db", db)
    assert exported.returncode == 0, exported.stderr
    assert read_folder(out) == read_folder(intents_copy)


def test_export_without_any_revision_says_what_to_do(cli, tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    asyncio.run(_touch(str(db)))
    result = cli("intents", "export", str(tmp_path / "out"), "--db", str(db))
    assert result.returncode == 2
    assert "legalbot intents import" in result.stderr


async def _audit(db: str):
    store = await open_store(db)
    try:
        return await audit.entries(store)
    finally:
        await store.close()


async def _touch(db: str) -> None:
    store = await open_store(db)
    await store.close()


def test_import_of_a_broken_folder_is_refused_with_file_and_line(cli, intents_copy: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "log.sqlite3")
    path = intents_copy / "mediation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    buttons:", "    buttons: [no_such_intent]\n    old_buttons:", 1), encoding="utf-8")
    result = cli("intents", "import", str(intents_copy), "--db", db)
    assert result.returncode == 1
    assert f"{path}:" in result.stderr and "个错误，未导入" in result.stderr

    async def count() -> int:
        store = await open_store(db)
        try:
            return len(await KnowledgeRevisions(store).history())
        finally:
            await store.close()

    assert asyncio.run(count()) == 0


async def test_a_save_is_checked_evaluated_and_kept_as_a_revision(intents_copy: Path, tmp_path: Path) -> None:
    store = await open_store(str(tmp_path / "log.sqlite3"))
    try:
        parent, files = await base(store, intents_copy)
        assert parent == 0
        first = await save(store, files, parent, files, "导入", "first")
        old_summary = mediation_summary(files)
        with pytest.raises(SaveRefused, match="没有需要保存的改动"):
            await save(store, files, first.revision.id, dict(files), "王", "nothing")
        knowledge = load_knowledge(intents_copy)
        mediation = knowledge["mediation"]
        new_files = edited(files, "mediation.yaml", mediation.summary.splitlines()[0], NEW_SUMMARY)
        result = await save(store, files, first.revision.id, new_files, "王老师", "调解答复改写", EVAL_SET)
        assert result.revision.id == 2 and result.revision.author == "王老师"
        assert result.evaluation is not None and result.evaluation.examples > 300
        assert any(d.name == "mediation.yaml" and any(line.startswith("+") and NEW_SUMMARY in line for line in d.lines) for d in result.diff)
        revision, stored = await newest(store)
        assert revision.id == 2 and NEW_SUMMARY in mediation_summary(stored)

        # A draft of revision 1 saved after revision 2 would undo it silently: refused.
        with pytest.raises(StaleRevision, match="第 2 版"):
            await save(store, files, 1, edited(files, "mediation.yaml", "不收任何费用", "不收费"), "李", "late")

        reverted = await restore(store, 1, "王老师", EVAL_SET)
        assert reverted.revision.reverts == 1 and reverted.revision.id == 3
        assert mediation_summary((await newest(store))[1]) == old_summary
        assert [r.id for r in await KnowledgeRevisions(store).history()] == [3, 2, 1]
    finally:
        await store.close()


async def test_a_save_that_breaks_the_check_is_refused_with_the_reason(intents_copy: Path, tmp_path: Path) -> None:
    store = await open_store(str(tmp_path / "log.sqlite3"))
    try:
        parent, files = await base(store, intents_copy)
        broken = edited(files, "mediation.yaml", "    buttons:\n      - legal_aid\n", "    buttons:\n      - flow:eligibilty\n")
        with pytest.raises(SaveRefused) as refused:
            await save(store, files, parent, broken, "王", "typo")
        assert "mediation.yaml:" in str(refused.value)
        assert await KnowledgeRevisions(store).latest() is None
    finally:
        await store.close()


async def test_a_runtime_serves_the_newest_revision_and_follows_new_ones(intents_copy: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "log.sqlite3")
    store = await open_store(db)
    parent, files = await base(store, intents_copy)
    first = await save(store, files, parent, files, "导入", "first")
    mediation = load_knowledge(intents_copy)["mediation"]
    await save(store, files, first.revision.id, edited(files, "mediation.yaml", mediation.summary.splitlines()[0], NEW_SUMMARY), "王", "v2")

    settings = Settings(db=db, intents_dir=intents_copy)
    runtime = Runtime(settings, Responder(load_knowledge(intents_copy), all_flows()), lambda: open_store(db))
    await runtime.start()
    try:
        conversation = runtime.conversation()
        answer = await conversation.turn(Turn("terminal", "居民", text="人民调解要收费吗"))
        assert NEW_SUMMARY.split("（")[0] in answer.reply.text

        # Another process (the console) restores revision 1: this runtime follows within seconds.
        await restore(store, 1, "王", None)
        for _ in range(50):
            if NEW_SUMMARY not in runtime.responder.knowledge["mediation"].summary:
                break
            await asyncio.sleep(0.2)
        assert runtime.responder.knowledge["mediation"].summary == mediation.summary
    finally:
        await runtime.stop()
        await store.close()


def test_the_terminal_chat_answers_from_the_newest_revision(cli, intents_copy: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "log.sqlite3")

    async def edit() -> None:
        store = await open_store(db)
        try:
            parent, files = await base(store, intents_copy)
            first_line = load_knowledge(intents_copy)["mediation"].summary.splitlines()[0]
            result = await save(store, files, parent, edited(files, "mediation.yaml", first_line, NEW_SUMMARY), "王", "v2")
            assert [r.id for r in await KnowledgeRevisions(store).history()] == [result.revision.id, 1]  # the folder first, kept for revert
        finally:
            await store.close()

    asyncio.run(edit())
    chat = cli("chat", "--db", db, "--intents", str(intents_copy), stdin="人民调解要收费吗\n")
    assert chat.returncode == 0, chat.stderr
    assert NEW_SUMMARY.split("（")[0] in chat.stdout


def test_review_accept_becomes_a_revision_once_the_knowledge_is_in_the_database(cli, intents_copy: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "log.sqlite3")
    assert cli("intents", "import", str(intents_copy), "--db", db).returncode == 0
    before = read_folder(intents_copy)

    async def ask() -> int:
        store = await open_store(db)
        try:
            reply = Responder(load_knowledge(intents_copy), all_flows()).respond("起诉状谁能帮我写", Session())
            return await store.log("terminal", "居民", "起诉状谁能帮我写", reply)
        finally:
            await store.close()

    inquiry = asyncio.run(ask())
    accepted = cli("review", "accept", str(inquiry), "--intent", "legal_consultation", "--db", db, "--intents", str(intents_copy))
    assert accepted.returncode == 0, accepted.stderr
    assert "第 2 版" in accepted.stdout
    assert read_folder(intents_copy) == before  # the intents_copy is the import/export form now
    assert [e.action for e in asyncio.run(_audit(db))] == ["inbox.example", "knowledge.import"]  # newest first
    exported = tmp_path / "out"
    assert cli("intents", "export", str(exported), "--db", db).returncode == 0
    assert "起诉状谁能帮我写" in load_files(read_folder(exported))["legal_consultation"].examples
