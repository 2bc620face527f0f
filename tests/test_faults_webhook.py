"""Issue 12 on `legalbot serve`: hostile connections (row 12) and a Bot API down for a while (rows 6-7).

One real webhook worker (SQLite) behind the stand-in Bot API's webhook delivery, as in
`test_webhook_e2e`; the attacker is plain sockets.
"""

from __future__ import annotations

import socket
import time

import pytest

from bot.app.httpguard import HEAD_SECONDS, MAX_HEADER_BYTES

from .test_telegram_e2e import export
from .workers import http, webhook_worker

pytestmark = pytest.mark.timeout(120)

QUESTION = "公司拖欠我三个月工资不给怎么办"
STALLING = 260


@pytest.fixture(scope="module")
def bot(api, tmp_path_factory):
    with webhook_worker(api, tmp_path_factory.mktemp("worker")) as worker:
        yield worker


def closed_by_server(sock: socket.socket) -> bytes | None:
    """What the server said before closing (b"" for nothing), or None while it keeps the socket."""
    sock.settimeout(0.05)
    try:
        said = sock.recv(4096)
        while said and (more := sock.recv(4096)):
            said += more
        return said
    except TimeoutError:
        return None
    except OSError:
        return b""


def answered(api, chat_id: int) -> int:
    return sum(1 for c in api.sent(chat_id) if c.params.get("reply_markup"))


def test_connections_that_never_finish_their_head_neither_starve_the_worker_nor_stay(api, bot):
    stalling = []
    try:
        for _ in range(STALLING):
            sock = socket.create_connection(("127.0.0.1", bot["port"]))
            sock.sendall(b"POST /telegram/webhook HTT")  # half a request line, then silence
            stalling.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        status, _, body = http("GET", bot["url"] + "/healthz", timeout=5)
        assert status == 200 and b'"database":"ok"' in body
        assert time.monotonic() - started < 2, "/healthz answered promptly beside the stalled connections"
        api.send_text(801, QUESTION)
        assert "工资" in api.wait_message(801, timeout=10).text, "an update was answered meanwhile"
        api.wait_for(lambda: all(closed_by_server(s) is not None for s in stalling), timeout=HEAD_SECONDS + 5, what="the stalled connections closed")
        assert time.monotonic() - started < HEAD_SECONDS + 5
    finally:
        for sock in stalling:
            sock.close()
    with socket.create_connection(("127.0.0.1", bot["port"])) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")  # a head that stops half-way
        time.sleep(HEAD_SECONDS + 1)
        said = closed_by_server(sock)
        assert said is not None and said.startswith(b"HTTP/1.1 408"), said


def test_a_head_over_the_limit_is_refused(api, bot):
    with socket.create_connection(("127.0.0.1", bot["port"])) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Padding: " + b"a" * (MAX_HEADER_BYTES + 1))
        deadline = time.monotonic() + 5
        while (said := closed_by_server(sock)) is None and time.monotonic() < deadline:
            pass
        assert said is not None and said.startswith(b"HTTP/1.1 431"), said
    assert http("GET", bot["url"] + "/healthz")[0] == 200, "the worker carries on"


def test_an_answer_the_api_refuses_for_a_while_is_kept_and_sent_once_it_is_back(api, bot):
    question = f"{QUESTION}（先存着）"
    api.fail_with_status(500, times=None, chat_id=811)
    update = api.send_text(811, question)
    api.wait_for(lambda: "answer to update" in bot["log"].read_text(), timeout=30, what="the answer kept for later")
    assert any(d.ok for d in api.deliveries_of(update["update_id"])), "Telegram was told 200: the worker has it"
    assert answered(api, 811) == 0
    time.sleep(2)  # down a while longer: the kept answer's tries fail too
    api.clear_failures()
    api.wait_for(lambda: answered(api, 811), timeout=30, what="the kept answer sent")
    time.sleep(1.5)
    assert answered(api, 811) == 1 and "工资" in api.sent(811)[-1].text
    assert "outbox: kept answer sent" in bot["log"].read_text()
    assert [r["text"] for r in export(bot["db"])].count(question) == 1, "logged once"
    refused = [c for c in api.calls_of("sendMessage") if c.chat_id == 811 and not c.ok]
    assert len(refused) >= 4, "retried before it was kept"
