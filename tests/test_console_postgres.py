"""Two workers on one PostgreSQL database (`legalbot serve --web` with the console mounted): a save
in one worker's console is answered by the other worker's web chat, and so is the restore.
The knowledge lives in the database, so neither worker's folder matters."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from bot.core.knowledge import load_knowledge
from bot.knowledge.form import IntentForm

from .conftest import INTENTS, run_cli
from .web_server import running_web

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PARENT = re.compile(r'name="parent" value="(\d+)"')
PASSWORD = "eve-password-1"
FOLLOW_SECONDS = 30
NEW_LINE = "人民调解不收费：这是第二个工作进程也要说的新答复。"
QUESTION = "人民调解要收费吗"


def console_client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base + "/console", timeout=120)
    token = CSRF.search(client.get("/login").text)[1]
    logged = client.post("/login", data={"csrf_token": token, "username": "eve", "password": PASSWORD})
    assert logged.status_code == 303
    return client


def form_data(form: IntentForm, csrf: str, parent: str) -> dict[str, str]:
    data = {"csrf_token": csrf, "parent": parent, "title": form.title, "summary": form.summary, "reviewed": form.reviewed}
    data |= {name: "\n".join(getattr(form, name)) for name in ("keywords", "examples", "buttons", "sources")}
    for number, (title, text) in enumerate(form.sections, 1):
        data |= {f"section_title_{number}": title, f"section_text_{number}": text}
    return data


def answer(base: str, question: str) -> str:
    return httpx.post(base + "/api/message", json={"text": question}, timeout=30).json()["answer"]["text"]


def wait_for(base: str, expected: str) -> None:
    deadline = time.monotonic() + FOLLOW_SECONDS
    while expected not in answer(base, QUESTION):
        assert time.monotonic() < deadline, f"the other worker never answered with {expected!r}"
        time.sleep(0.5)


def test_a_save_on_one_worker_is_answered_by_the_other(postgres_url: str, tmp_path) -> None:
    added = run_cli("users", "add", "eve", "--role", "editor", "--password-stdin", "--db", postgres_url, stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    mediation = load_knowledge(INTENTS)["mediation"]
    original = mediation.summary.splitlines()[0]
    with running_web(postgres_url, tmp_path / "one.log", "--web", command="serve", ready="/healthz", LEGALBOT_CONSOLE="1") as one, \
            running_web(postgres_url, tmp_path / "two.log", "--web", command="serve", ready="/healthz", LEGALBOT_CONSOLE="1") as two:
        assert original in answer(two.base, QUESTION)
        editor = console_client(one.base)
        page = editor.get("/knowledge/intent/mediation").text
        form = IntentForm.of(mediation)
        edited = IntentForm(**{**form.__dict__, "summary": form.summary.replace(original, NEW_LINE, 1)})
        saved = editor.post("/knowledge/intent/mediation", data=form_data(edited, CSRF.search(page)[1], PARENT.search(page)[1]))
        assert saved.status_code == 200, saved.text[:2000]
        assert "已保存为第 2 版" in saved.text and "评测：修改前 → 修改后" in saved.text

        wait_for(two.base, NEW_LINE)

        # A restore from the second worker's console reaches the first worker's residents.
        restorer = console_client(two.base)
        history = restorer.get("/knowledge/history").text
        restored = restorer.post("/knowledge/revision/1/restore", data={"csrf_token": CSRF.search(history)[1]})
        assert restored.status_code == 200 and "已保存为第 3 版" in restored.text
        deadline = time.monotonic() + FOLLOW_SECONDS
        while original not in answer(one.base, QUESTION):
            assert time.monotonic() < deadline, "the first worker never went back to the original answer"
            time.sleep(0.5)
