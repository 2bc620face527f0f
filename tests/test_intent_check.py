"""`intents check` on small intent folders written here: what staff would get wrong by hand."""

from __future__ import annotations

from pathlib import Path

from bot.intent_check import check_intents, cited_articles

HEADER = "intents:\n"


def _folder(tmp_path: Path, body: str) -> Path:
    (tmp_path / "one.yaml").write_text(HEADER + body, encoding="utf-8")
    return tmp_path


def _messages(tmp_path: Path, body: str) -> list[str]:
    _, problems = check_intents(_folder(tmp_path, body))
    return [f"{p.severity}: {p.message}" for p in problems]


def _intent(summary: str = "找 12348。", sources: str = "", buttons: str = "", sections: str = "") -> str:
    text = f"  - id: one\n    title: 一\n    kind: service\n    reviewed: '2026-12-01'\n    keywords: [一个]\n    examples: [第一个问题]\n    summary: {summary}\n"
    return text + sources + buttons + sections


def test_a_misspelt_flow_is_an_error(tmp_path):
    messages = _messages(tmp_path, _intent(buttons="    buttons: ['flow:eligibilty']\n"))
    assert any(m.startswith("error:") and "eligibilty" in m for m in messages)


def test_a_flow_entry_that_does_not_exist_is_an_error(tmp_path):
    messages = _messages(tmp_path, _intent(buttons="    buttons: ['flow:deadline:k:labour-arbitraton']\n"))
    assert any(m.startswith("error:") and "labour-arbitraton" in m for m in messages)


def test_a_good_flow_entry_passes(tmp_path):
    messages = _messages(tmp_path, _intent(buttons="    buttons: ['flow:deadline:k:labour-arbitration']\n"))
    assert not [m for m in messages if m.startswith("error:")]


def test_a_long_first_message_is_a_warning(tmp_path):
    messages = _messages(tmp_path, _intent(summary="很长" * 160))
    assert any(m.startswith("warning:") and "320 字" in m for m in messages)


def test_an_article_cited_but_not_in_sources_is_a_warning(tmp_path):
    body = _intent(
        summary="依照《中华人民共和国法律援助法》第三十一条可以申请，第四十二条免予核查。",
        sources="    sources: ['《中华人民共和国法律援助法》第三十一条']\n",
    )
    messages = _messages(tmp_path, body)
    assert any("第四十二条" in m and "sources" in m for m in messages)
    assert not any("第三十一条" in m for m in messages)


def test_citations_take_the_law_named_on_their_line():
    assert cited_articles("《民法典》第一千一百四十二条；劳动合同法第八十二条、第十四条\n（第二十四条）") == [
        ("民法典", "第一千一百四十二条"),
        ("劳动合同法", "第八十二条"),
        ("劳动合同法", "第十四条"),
        (None, "第二十四条"),
    ]
