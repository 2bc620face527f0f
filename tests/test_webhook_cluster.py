"""Issue 6's acceptance on loopback: three `legalbot serve` workers sharing one PostgreSQL database
behind a real nginx running docs/deploy/nginx.conf (TLS with a throwaway certificate), registered
with `legalbot webhook set`; the stand-in Bot API delivers updates from many users through nginx.
The workers serve the web chat (``--web``) and WeChat (the stand-in WeChat's API) too (issue 10).

What residents and admins must find: a request without the secret is refused; a guided flow goes
on whichever worker gets its next step; an admin's /reload reaches every worker (and so does an
edit of the files); and with one worker killed by SIGKILL mid-run, every message is answered
exactly once and logged in PostgreSQL exactly once. Web visitors and WeChat residents are answered
and logged once under their channel whichever worker gets them; a WeChat "2" picks from the choices
another worker offered; a web visitor's flow, history and 👍/👎 go on on another worker. The tests
run in this order and share the cluster (module scope); the killing comes last.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.knowledge import load_knowledge

from . import fake_wechat
from .conftest import INTENTS, run_cli
from .fake_bot_api import FakeBotAPI
from .fake_wechat import FakeWeChat
from .nginx import MISSING, NGINX, OPENSSL, UPSTREAM_HEADER, Nginx
from .postgres import fresh_database
from .test_telegram_e2e import export, feedback_buttons
from .workers import SECRET, WEBHOOK_PATH, free_port, http, launch_worker, post_update, wait_healthy, worker_env

pytestmark = [pytest.mark.timeout(180), pytest.mark.skipif(not (NGINX and OPENSSL), reason=MISSING)]

ADMIN = 900
QUESTIONS = ("法律援助怎么申请", "邻居纠纷找谁调解", "行政复议怎么申请", "公证处在哪里", "老板拖欠工资怎么办")


@dataclass
class Worker:
    port: int
    log: Path
    process: object

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    api: FakeBotAPI
    db: str
    intents: Path
    workers: list[Worker]
    nginx: Nginx
    wechat: FakeWeChat


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    intents = folder / "intents"
    shutil.copytree(INTENTS, intents)
    with fresh_database() as db, FakeBotAPI(verify_tls=False) as api, FakeWeChat(verify_tls=False) as wechat:  # skips without LEGALBOT_TEST_POSTGRES
        ports = [free_port() for _ in range(3)]
        channels = {
            "LEGALBOT_ADMIN_IDS": str(ADMIN),
            "LEGALBOT_WECHAT_TOKEN": fake_wechat.TOKEN,
            "LEGALBOT_WECHAT_APPID": fake_wechat.APPID,
            "LEGALBOT_WECHAT_SECRET": fake_wechat.SECRET,
            "LEGALBOT_WECHAT_AES_KEY": fake_wechat.AES_KEY,
            "WECHAT_API_BASE_URL": wechat.base_url,
        }
        workers = [
            Worker(port, folder / f"worker-{port}.log", launch_worker(api, db, folder / f"worker-{port}.log", port, "--web", "--intents", str(intents), **channels))
            for port in ports
        ]
        nginx = None
        try:
            for worker in workers:
                wait_healthy(worker.process, worker.port, worker.log)
            nginx = Nginx(folder, ports)
            result = run_cli("webhook", "set", "--url", nginx.url + WEBHOOK_PATH, "--max-connections", "20", env=worker_env(api, db))
            assert result.returncode == 0, result.stderr
            yield Cluster(api, db, intents, workers, nginx, wechat)
        finally:
            for worker in workers:
                if worker.process.poll() is None:
                    worker.process.terminate()
            for worker in workers:
                worker.process.wait(30)
            if nginx is not None:
                nginx.stop()
    for worker in workers:
        assert "Traceback" not in worker.log.read_text(), worker.log.read_text()[-3000:]


def ask(api: FakeBotAPI, user: int, text: str, to: str | None = None):
    before = len(api.sent(user))
    api.send_text(user, text, to=to)
    return api.wait_message(user, after=before)


def test_the_webhook_is_registered_and_requests_without_the_secret_are_refused(cluster):
    api = cluster.api
    assert api.webhook.url == cluster.nginx.url + WEBHOOK_PATH and api.webhook.secret == SECRET
    update = {"update_id": 999_999, "message": {"message_id": 1, "date": 0, "chat": {"id": 601, "type": "private"}, "from": api.user(601), "text": "/start"}}
    assert post_update(cluster.nginx.url + WEBHOOK_PATH, update, secret=None) == 403
    assert post_update(cluster.nginx.url + WEBHOOK_PATH, update, secret="not-the-secret") == 403
    assert "法律援助" in ask(api, 602, "法律援助怎么申请").text, "with the secret (the stand-in's delivery) it is answered"
    assert not api.sent(601)
    status, _, body = http("GET", cluster.nginx.url + "/healthz")
    assert status == 200 and b'"database":"ok"' in body, "nginx passes /healthz to a worker"


def test_a_flow_started_on_one_worker_continues_on_the_others(cluster):
    api, (first, second, third) = cluster.api, cluster.workers
    start = ask(api, 603, "/deadline", to=first.url)
    choice = next(b["callback_data"] for b in start.buttons if "行政复议" in b["text"])
    api.press(603, start, choice, to=second.url)
    asks_date = api.wait_message(603, after=1)
    assert "2025-08-02" in asks_date.text, asks_date.text
    result = ask(api, 603, "2025年8月2日", to=third.url)
    assert "2025年10月9日" in result.text, result.text[:200]
    steps = {first.url, second.url, third.url}
    api.wait_for(lambda: steps <= {d.url for d in api.deliveries if d.ok}, what="each step acknowledged by its own worker")


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), "")


@dataclass
class Visitor:
    """One web chat visitor: the cookie the first answer gave, sent wherever they go next (nginx or
    one worker's own port), as a browser sends it to the one site."""

    cookie: str = ""

    def call(self, base: str, method: str, path: str, body: dict | None = None) -> tuple[dict, str]:
        """(the JSON answer, the worker nginx passed it to, if it went through nginx)"""
        headers = {"Cookie": f"legalbot_visitor={self.cookie}"} if self.cookie else {}
        status, got, data = http(method, base + path, body, headers)
        assert status == 200, (status, data.decode())
        if not self.cookie:
            self.cookie = _header(got, "set-cookie").split(";", 1)[0].partition("=")[2]
        return json.loads(data), _header(got, UPSTREAM_HEADER)


def test_web_visitors_through_nginx_are_answered_and_logged_once_by_several_workers(cluster):
    asked: dict[str, int] = {}
    upstreams = set()
    for n in range(6):
        visitor = Visitor()
        for round_ in range(2):
            text = f"{QUESTIONS[(n + round_) % len(QUESTIONS)]}（网页{n}-{round_}）"
            body, upstream = visitor.call(cluster.nginx.url, "POST", "/api/message", {"text": text})
            assert body["answer"]["text"] and body["answer"]["feedback_id"], body
            asked[text] = body["answer"]["feedback_id"]
            upstreams.add(upstream)
    assert len(upstreams) > 1, f"nginx passed the web chat to {upstreams} only"
    records = [r for r in export(cluster.db) if r["text"] in asked]
    assert sorted((r["channel"], r["text"]) for r in records) == sorted(("web", t) for t in asked), "each logged once, as web"
    assert {r["text"]: r["id"] for r in records} == asked, "each answer's 👍/👎 names its own inquiry"


def test_a_web_visitors_flow_history_and_feedback_go_on_on_other_workers(cluster):
    first, second, third = cluster.workers
    visitor = Visitor()
    kinds, _ = visitor.call(first.base, "POST", "/api/message", {"text": "/deadline"})
    action = next(b["action"] for row in kinds["answer"]["buttons"] for b in row if "行政复议" in b["label"])
    asks, _ = visitor.call(second.base, "POST", "/api/press", {"action": action})
    assert "请输入" in asks["answer"]["text"], asks
    result = visitor.call(third.base, "POST", "/api/message", {"text": "2025年8月2日"})[0]["answer"]
    assert "2025年10月9日" in result["text"], result["text"][:200]
    rated, _ = visitor.call(first.base, "POST", "/api/feedback", {"inquiry_id": result["feedback_id"], "value": "down"})
    assert rated["recorded"], rated
    history = visitor.call(cluster.nginx.url, "GET", "/api/history")[0]["messages"]
    assert [m["text"] for m in history if m["role"] == "user"] == ["/deadline", "申请行政复议（60日）", "2025年8月2日"]
    assert [m["feedback"] for m in history if m.get("feedback_id") == result["feedback_id"]] == ["down"], "a reload shows the 👎"
    records = [r for r in export(cluster.db) if r["channel"] == "web" and r["text"] == "2025年8月2日"]
    assert [(r["id"], r["feedback"]) for r in records] == [(result["feedback_id"], "down")]


def test_wechat_residents_through_nginx_are_answered_passively_and_logged_once(cluster):
    wechat, url = cluster.wechat, cluster.nginx.url + "/wechat"
    asked: dict[str, str] = {}
    upstreams = set()
    for n in range(12):
        openid, text = f"oCluster{n}", f"{QUESTIONS[n % len(QUESTIONS)]}（微信{n}）"
        reply = wechat.post(url, wechat.text_xml(openid, text), safe=True)
        assert reply.status == 200 and reply.signature_ok and reply.content, reply
        asked[text] = openid
        upstreams.add(_header(reply.headers, UPSTREAM_HEADER))
    assert len(upstreams) > 1, f"nginx passed WeChat to {upstreams} only"
    assert not any(wechat.delivered(openid) for openid in asked.values()), "answered passively, nothing sent twice"
    records = [r for r in export(cluster.db) if r["text"] in asked]
    assert sorted((r["channel"], r["text"]) for r in records) == sorted(("wechat", t) for t in asked), "each logged once, as wechat"


def test_a_wechat_number_answered_by_another_worker_picks_from_the_choices_the_first_offered(cluster):
    wechat, (first, second, _third) = cluster.wechat, cluster.workers
    answer = wechat.post(first.base + "/wechat", wechat.text_xml("oHopper", "法律援助怎么申请"), safe=True)
    assert "回复 2 查看“免查经济”" in answer.content, answer.content
    chosen = wechat.post(second.base + "/wechat", wechat.text_xml("oHopper", "2"), safe=True)
    assert chosen.content.startswith("【法律援助 · 免查经济】"), chosen.content[:200]
    records = [(r["channel"], r["intent"]) for r in export(cluster.db) if r["channel"] == "wechat" and r["text"] in ("法律援助怎么申请", "2", "免查经济")]
    assert records == [("wechat", "legal_aid")], "the question logged once; opening a section is no inquiry"


def _answers_with(api: FakeBotAPI, worker: Worker, user: int, question: str, marker: str, timeout: float) -> str:
    """Ask one worker directly until its answer shows `marker` (workers reload within seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        text = ask(api, user, question, to=worker.url).text
        if marker in text or time.monotonic() > deadline:
            return text
        time.sleep(0.5)


def test_an_admin_reload_on_one_worker_reaches_every_worker(cluster):
    api = cluster.api
    path = cluster.intents / "legal_aid.yaml"
    first_line = load_knowledge(cluster.intents)["legal_aid"].summary.split("\n", 1)[0]
    marked = "【" + first_line[1:]  # the same number of UTF-8 bytes: the file keeps its size
    # An edit the file watchers cannot see (same size, same mtime): only /reload can bring it in.
    stat = path.stat()
    edited = path.read_text(encoding="utf-8").replace(first_line, marked, 1)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    for n, worker in enumerate(cluster.workers):
        assert first_line in ask(api, 610 + n, "法律援助怎么申请", to=worker.url).text, "nobody reloaded yet"

    before = len(api.sent(ADMIN))
    api.send_text(ADMIN, "/reload")  # through nginx: whichever worker gets it
    reply = api.wait_for(lambda: next((c for c in api.sent(ADMIN)[before:] if "重新加载" in c.text), None), timeout=20, what="the reload report")
    assert "✅" in reply.text
    for n, worker in enumerate(cluster.workers):
        answer = _answers_with(api, worker, 620 + n, "法律援助怎么申请", marked, timeout=8)
        assert marked in answer, f"worker {worker.port} still serves the old text"


def test_an_edited_intent_file_is_picked_up_by_every_worker(cluster):
    api = cluster.api
    path = cluster.intents / "notarization.yaml"
    first_line = load_knowledge(cluster.intents)["notarization"].summary.split("\n", 1)[0]
    path.write_text(path.read_text(encoding="utf-8").replace(first_line, "【已更新】" + first_line, 1), encoding="utf-8")
    for n, worker in enumerate(cluster.workers):
        assert "【已更新】" in _answers_with(api, worker, 630 + n, "公证怎么办", "【已更新】", timeout=15)


def test_many_users_through_nginx_with_a_worker_killed_midway_are_answered_and_logged_exactly_once(cluster):
    api, victim = cluster.api, cluster.workers[1]
    users = range(20_000, 20_060)
    texts: dict[str, int] = {}
    for round_ in range(3):
        for user in users:
            text = f"{QUESTIONS[(user + round_) % len(QUESTIONS)]}（{user}-{round_}）"
            texts[text] = user
            api.send_text(user, text)

    def answered() -> int:
        return sum(1 for u in users for c in api.sent(u) if feedback_buttons(c))

    api.wait_for(lambda: answered() >= len(texts) // 3, timeout=30, what="a third of the answers")
    victim.process.kill()  # SIGKILL: no clean-up, updates in hand die with it
    killed_at = time.monotonic()
    victim.process.wait()
    api.wait_for(lambda: answered() >= len(texts), timeout=60, what=f"all {len(texts)} answers")
    time.sleep(1.0)  # a second answer to anything would have arrived by now

    records = [r for r in export(cluster.db) if r["text"] in texts]
    assert sorted(r["text"] for r in records) == sorted(texts), "every message logged exactly once"
    logged = {r["id"]: r["text"] for r in records}
    for user in users:
        answers = [c for c in api.sent(user) if feedback_buttons(c)]
        ids = [int(feedback_buttons(c)["👍 有帮助"].rsplit(":", 1)[1]) for c in answers]
        assert len(answers) == 3, f"user {user}: {len(answers)} answers to 3 messages"
        assert sorted(logged[i] for i in ids) == sorted(t for t, u in texts.items() if u == user), f"user {user}: each message answered once"

    victim_addr = f"127.0.0.1:{victim.port}"
    through = [d for d in api.deliveries if d.url == api.webhook.url]
    assert any(d.ok and d.at < killed_at and d.headers.get(UPSTREAM_HEADER, "").endswith(victim_addr) for d in through), "the victim served before"
    assert not any(d.ok and d.at > killed_at + 1 and d.headers.get(UPSTREAM_HEADER, "").endswith(victim_addr) for d in through)
    # Killed with an update in hand, the victim's claim makes another worker answer 409 until its
    # lease runs out, then take the update over; killed between updates, it held nothing to take.
    after = [d for d in through if d.at > killed_at]
    assert any(d.status == 409 for d in after) or all(d.ok for d in after), "an update the victim held was taken over after its lease"
