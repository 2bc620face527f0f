"""The same conversation over every channel — Telegram (a webhook worker), the terminal chat, the
web chat and WeChat — each through its real adapter on a real SQLite log (`channel_drivers`):
a question gets the guidance the core composes, a section opens and comes back, /deadline runs
to its date, 👍/👎 lands on the asker's inquiry (and nobody else's counts), and every question is
logged once under its channel's name."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.knowledge import Knowledge
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows

from .channel_drivers import CHANNELS, Driver, plain_label, telegram_driver, terminal_driver, web_driver, wechat_driver
from .fake_wechat import FakeWeChat

QUESTION = "公证怎么办理"
OTHER_QUESTION = "邻居装修太吵了找谁调解"
pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def responder(knowledge: Knowledge) -> Responder:
    return Responder(knowledge, all_flows())


@pytest.fixture(scope="module")
def wechat() -> FakeWeChat:
    with FakeWeChat() as server:
        yield server


@pytest.fixture(params=CHANNELS)
async def chat(request: pytest.FixtureRequest, responder: Responder, tmp_path) -> AsyncIterator[Driver]:
    """One resident on one channel (each channel's stand-in server is started only for it)."""
    name = request.param
    if name == "telegram":
        driver = telegram_driver(request.getfixturevalue("api"), responder, tmp_path)
    elif name == "wechat":
        driver = wechat_driver(request.getfixturevalue("wechat"), responder, tmp_path)
    else:
        driver = {"terminal": terminal_driver, "web": web_driver}[name](responder, tmp_path)
    async with driver as opened:
        yield opened


async def test_a_question_gets_the_guidance_the_core_composes_logged_once_under_its_channel(chat: Driver, responder: Responder) -> None:
    composed = responder.respond(QUESTION, Session())
    said = await chat.ask(QUESTION)
    assert said.text == composed.text
    assert [plain_label(c) for c in said.choices] == [plain_label(b.label) for b in composed.flat_buttons]
    assert [(i.channel, i.text, i.intent) for i in await chat.logged()] == [(chat.channel, QUESTION, "notarization")]


async def test_a_section_opens_and_the_way_back_shows_the_guidance_again(chat: Driver, responder: Responder) -> None:
    session = Session()
    composed = responder.respond(QUESTION, session)
    section_button = next(b for b in composed.flat_buttons if b.label == "办理地点")
    section = responder.press(section_button.action, session)
    said = await chat.ask(QUESTION)
    opened = await chat.press("办理地点")
    assert opened.text == section.text and opened.text.startswith("【公证服务 · 办理地点】")
    assert "返回" in [plain_label(c) for c in opened.choices]
    back = await chat.press("« 返回")
    assert back.text == said.text == composed.text
    logged = [(i.channel, i.text, i.intent) for i in await chat.logged()]
    assert logged == [(chat.channel, QUESTION, "notarization"), (chat.channel, "« 返回", "notarization")]  # a section is no inquiry


async def test_the_deadline_flow_runs_to_its_date_and_only_its_answer_is_logged(chat: Driver) -> None:
    kinds = await chat.ask("/deadline")
    assert kinds.text == "您要计算哪个期限？请选择：" and "申请劳动仲裁（1年）" in kinds.choices
    asks = await chat.press("申请行政复议（60日）")
    assert asks.text.startswith("申请行政复议（60日）：请输入")
    result = await chat.ask("2025年8月2日")
    assert "最后一天：2025年10月9日（星期四）" in result.text and "《中华人民共和国行政复议法》第二十条" in result.text
    assert [(i.channel, i.text) for i in await chat.logged()] == [(chat.channel, "2025年8月2日")]


async def test_feedback_lands_on_the_askers_last_answer_and_a_strangers_does_not_count(chat: Driver) -> None:
    if chat.feedback is None:
        pytest.skip(f"{chat.channel} shows no 👍/👎 under its answers")
    await chat.ask(QUESTION)
    await chat.ask(OTHER_QUESTION)
    await chat.feedback("up", stranger=True)
    assert [i.feedback for i in await chat.logged()] == [None, None], "somebody else's 👍 does not count"
    await chat.feedback("down")
    logged = await chat.logged()
    assert [(i.text, i.feedback) for i in logged] == [(QUESTION, None), (OTHER_QUESTION, "down")]
    assert {i.channel for i in logged} == {chat.channel}, "feedback presses are not inquiries"
