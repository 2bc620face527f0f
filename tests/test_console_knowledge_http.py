"""The inbox and knowledge pages over HTTP against a real `legalbot console`: who may do what,
the JSON checks need the CSRF token too, contacts are saved only when marked as verified and
then show who verified them when, and the console shows no channel user ids."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import httpx
import pytest

from bot.console import audit
from bot.core.knowledge import load_knowledge
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.knowledge.source import load
from bot.store import open_store

from .conftest import INTENTS, run_cli
from .web_server import running_web

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
USERS = {"vic": "viewer", "rob": "reviewer", "eve": "editor"}
TELEGRAM_ID = "7744113355"


async def seed(db: Path) -> None:
    store = await open_store(str(db))
    responder = Responder(load_knowledge(INTENTS), all_flows())
    await store.log("telegram", TELEGRAM_ID, "起诉状谁能帮我写", responder.respond("起诉状谁能帮我写", Session()))
    await store.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("console-knowledge")
    folder = root / "intents"
    shutil.copytree(INTENTS, folder)
    db = root / "inquiries.sqlite3"
    asyncio.run(seed(db))
    for name, role in USERS.items():
        assert run_cli("users", "add", name, "--role", role, "--password-stdin", "--db", str(db), stdin=f"{name}-password-1\n").returncode == 0
    with running_web(db, root / "console.log", "--intents", str(folder), command="console", ready="/healthz") as server:
        server.db, server.folder = db, folder
        yield server


def client(server, name: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=server.base + "/console", timeout=120)
    token = CSRF.search(http.get("/login").text)[1]
    assert http.post("/login", data={"csrf_token": token, "username": name, "password": f"{name}-password-1"}).status_code == 303
    return http, CSRF.search(http.get("/").text)[1]


def test_viewers_read_reviewers_triage_editors_edit(console) -> None:
    viewer, viewer_csrf = client(console, "vic")
    listing = viewer.get("/knowledge")
    assert listing.status_code == 200 and "人民调解" in listing.text and "公共法律服务" in listing.text
    assert viewer.get("/inbox").status_code == 403
    refused = viewer.post("/knowledge/intent/mediation", data={"csrf_token": viewer_csrf, "title": "x"})
    assert refused.status_code == 403 and "编辑" in refused.text

    reviewer, reviewer_csrf = client(console, "rob")
    inbox = reviewer.get("/inbox")
    assert inbox.status_code == 200 and "起诉状谁能帮我写" in inbox.text
    assert TELEGRAM_ID not in inbox.text
    cluster = reviewer.get(re.search(r'href="(/console/inbox/\d+)"', inbox.text)[1].removeprefix("/console"))
    assert TELEGRAM_ID not in cluster.text and "Telegram" in cluster.text
    assert reviewer.post("/knowledge/revision/1/restore", data={"csrf_token": reviewer_csrf}).status_code == 403


def test_the_json_checks_need_the_csrf_token(console) -> None:
    editor, csrf = client(console, "eve")
    body = {"title": "人民调解", "examples": "调解", "summary": "好", "buttons": "flow：deadline"}
    assert editor.post("/knowledge/intent/mediation/draft", json=body).status_code == 403
    checked = editor.post("/knowledge/intent/mediation/draft", json=body, headers={"X-CSRF-Token": csrf})
    assert checked.status_code == 200
    assert any("全角冒号" in p["message"] and p["name"] == "按钮" for p in checked.json()["problems"])
    tried = editor.post("/knowledge/intent/mediation/try", json={**body, "buttons": "", "question": "调解要收费吗"}, headers={"X-CSRF-Token": csrf})
    assert tried.json()["result"]["evidence"][0]["title"]


def test_contacts_are_saved_only_as_verified_and_say_who_verified_them(console) -> None:
    editor, csrf = client(console, "eve")
    fields = {"csrf_token": csrf, "key": "legal_aid_center", "name": "万州区法律援助中心", "address": "", "phone": "", "hours": "", "url": "", "note": ""}
    unverified = editor.post("/knowledge/contacts", data=fields)
    assert unverified.status_code == 400 and "核实" in unverified.text
    saved = editor.post("/knowledge/contacts", data={**fields, "verified": "yes"}, follow_redirects=True)
    assert saved.status_code == 200 and "最后核实：eve" in saved.text

    async def check() -> None:
        store = await open_store(str(console.db))
        try:
            knowledge = (await load(store, console.folder)).knowledge
            assert knowledge.contacts["legal_aid_center"].name == "万州区法律援助中心"
            rows = await audit.entries(store, actions=["contacts.edit"])
            assert rows[-1].actor == "eve" and rows[-1].after["name"] == "万州区法律援助中心"
        finally:
            await store.close()

    asyncio.run(check())
