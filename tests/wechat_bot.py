"""The WeChat channel served for real: `wechat_app` under uvicorn on 127.0.0.1, in a thread with
its own event loop, over a real SQLite store — what `legalbot serve` mounts at ``/wechat``.

    with running_wechat(responder, settings, tmp_path / "log.sqlite3") as bot:
        reply = wechat.post(bot.url, wechat.text_xml("oUser", "法律援助怎么申请"))
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from bot.channels.wechat import WeChatSettings, wechat_app
from bot.conversation import Conversation, Outcome, Turn
from bot.core.responder import Responder
from bot.store import open_store

from . import fake_wechat


@dataclass
class SlowConversation(Conversation):
    """The real conversation service, taking ``delay`` seconds longer per turn (a busy database)."""

    delay: float = 0.0

    async def turn(self, turn: Turn) -> Outcome:
        await asyncio.sleep(self.delay)
        return await super().turn(turn)


@dataclass
class RunningBot:
    url: str
    db: Path


def settings_for(wechat: fake_wechat.FakeWeChat, safe: bool = True, **tuning: float) -> WeChatSettings:
    return WeChatSettings(
        token=fake_wechat.TOKEN,
        appid=fake_wechat.APPID,
        secret=fake_wechat.SECRET,
        aes_key=fake_wechat.AES_KEY if safe else "",
        api_base_url=wechat.base_url,
        **tuning,
    )


@contextmanager
def running_wechat(responder: Responder, settings: WeChatSettings, db: Path, delay: float = 0.0) -> Iterator[RunningBot]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    started = threading.Event()
    stop = threading.Event()
    failure: list[BaseException] = []

    async def main() -> None:
        store = await open_store(str(db))
        conversation = SlowConversation(responder, store, delay=delay)
        config = uvicorn.Config(wechat_app(conversation, settings), lifespan="on", log_config=None, access_log=False)
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.02)
        started.set()
        while not stop.is_set() and not serving.done():
            await asyncio.sleep(0.05)
        server.should_exit = True
        await serving
        await store.close()

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            failure.append(exc)
            started.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(30)
    if failure:
        raise failure[0]
    try:
        yield RunningBot(f"http://127.0.0.1:{sock.getsockname()[1]}/", db)
    finally:
        stop.set()
        thread.join(30)
        sock.close()
        if failure:
            raise failure[0]
