"""`legalbot serve` with only WeChat switched on (no Telegram token): the real CLI as a subprocess,
answering signed safe-mode pushes from the stand-in WeChat at /wechat, logging them, stopping cleanly."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import httpx

from . import fake_wechat
from .conftest import ROOT
from .fake_wechat import FakeWeChat
from .web_server import web_env
from .workers import free_port


def test_serve_with_only_wechat_answers_at_slash_wechat_and_logs(tmp_path):
    db = tmp_path / "log.sqlite3"
    port = free_port()
    with FakeWeChat() as wechat:
        env = web_env(
            LEGALBOT_WECHAT_TOKEN=fake_wechat.TOKEN,
            LEGALBOT_WECHAT_APPID=fake_wechat.APPID,
            LEGALBOT_WECHAT_SECRET=fake_wechat.SECRET,
            LEGALBOT_WECHAT_AES_KEY=fake_wechat.AES_KEY,
            WECHAT_API_BASE_URL=wechat.base_url,
        )
        log = (tmp_path / "serve.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--listen", f"127.0.0.1:{port}", "--db", str(db)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.2)
            verified = httpx.get(f"{base}/wechat", params=wechat.signed_query(echostr="echo123"))
            answer = wechat.post(f"{base}/wechat", wechat.text_xml("oServed", "法律援助怎么申请"), safe=True)
            forged = wechat.post(f"{base}/wechat", wechat.text_xml("oServed", "法律援助怎么申请"), safe=True, token="wrongToken")
        finally:
            process.send_signal(signal.SIGTERM)
            status = process.wait(timeout=30)
            log.close()
    assert (verified.status_code, verified.text) == (200, "echo123")
    assert answer.status == 200 and answer.signature_ok and "回复 1 查看" in answer.content
    assert forged.status == 403
    assert status == 0, (tmp_path / "serve.log").read_text()
    assert len(wechat.token_calls) >= 1  # the runtime ran the channel's lifespan: the token was fetched
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT channel, text, intent FROM inquiries").fetchall() == [("wechat", "法律援助怎么申请", "legal_aid")]
