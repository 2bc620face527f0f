"""Whatever a resident types, up to the input limit, is normalised, matched, redacted, answered and logged.

``"a" * 498`` and ``"ha" * 600`` once overflowed the stack in the pinyin splitter; these are the
property tests that would have found it: random Unicode, long runs of one character or syllable,
and mixed scripts.
"""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.terminal import TerminalChat
from bot.conversation import Conversation
from bot.core.matcher import Matcher
from bot.core.normalise import normalise, segment_pinyin
from bot.core.responder import MAX_INPUT_CHARS, Responder
from bot.flows import all_flows
from bot.store import open_store
from bot.store.redact import redact

PIECES = ["a", "ha", "哈", "falv", "法律援助", "1", "138", " ", "\u200b", "😀", "zh", "ü", "Ⅻ", "ｆａｌｖ", "@", "-", "：", "x"]

# Random Unicode (every category, surrogates excluded as no channel can deliver them).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
# One piece repeated up to the input limit: the shape that broke the recursion.
long_runs = st.builds(lambda piece, n: (piece * n)[:MAX_INPUT_CHARS], st.sampled_from(PIECES), st.integers(1, MAX_INPUT_CHARS))
# Chinese, pinyin, digits, emoji, full-width and invisible characters in any order.
mixed_scripts = st.lists(st.sampled_from(PIECES) | any_text, max_size=60).map("".join)
hostile = any_text | long_runs | mixed_scripts

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


@pytest.mark.parametrize("text", ["a" * 498, "ha" * 600, "a" * MAX_INPUT_CHARS, "falv" * 500, "xian" * 500])
def test_the_reported_runs_are_matched(matcher: Matcher, text: str) -> None:
    assert 0 <= matcher.match(text).score <= 100


def test_a_run_of_syllables_far_past_the_limit_is_split_without_recursion() -> None:
    assert segment_pinyin("ha" * 50_000) == ["ha"] * 50_000
    assert segment_pinyin("xianzai" * 10_000) == ["xian", "zai"] * 10_000
    assert segment_pinyin("ha" * 50_000 + "q") is None


@FAST
@given(hostile)
def test_normalise_never_raises_and_is_stable(text: str) -> None:
    once = normalise(text)
    assert normalise(once.text).text == once.text


@FAST
@given(hostile)
def test_match_never_raises_and_scores_stay_in_range(matcher: Matcher, text: str) -> None:
    matched = matcher.match(text)
    assert 0 <= matched.score <= 100


@FAST
@given(hostile)
def test_redact_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@FAST
@given(st.lists(hostile, min_size=1, max_size=4))
def test_terminal_chat_answers_every_line(responder: Responder, tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    db = tmp_path_factory.mktemp("chat") / "log.sqlite3"
    out = io.StringIO()

    async def talk() -> int:
        store = await open_store(str(db))
        try:
            chat = TerminalChat(Conversation(responder, store), out, "tester")
            expected = 0
            for line in (line.replace("\n", " ") for line in lines):
                if not await chat.handle(line):
                    break
                expected += bool(line.strip())
            return expected
        finally:
            await store.close()

    assert asyncio.run(talk()) == out.getvalue().count("机器人>")


def test_the_real_chat_answers_and_logs_the_reported_texts(cli, tmp_path: Path) -> None:
    texts = ["a" * 498, "ha" * 600, "哈" * MAX_INPUT_CHARS, "法律援助" + "啊" * 1990]
    db = tmp_path / "log.sqlite3"
    result = cli("chat", stdin="".join(t + "\n" for t in texts), env={"LEGALBOT_DB": str(db)})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.count("机器人>") == 1 + len(texts)  # the menu, then one answer each
    with sqlite3.connect(db) as conn:
        logged = [row[0] for row in conn.execute("SELECT text FROM inquiries ORDER BY id")]
    conn.close()
    assert logged == texts
    matched = cli("match", "--json", "ha" * 600)
    assert matched.returncode == 0 and json.loads(matched.stdout)["text"] == "ha" * 600
