"""What staff read when an intent file is wrong: Chinese, at the line of the mistake, naming the field."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeError, Problem, load_knowledge
from bot.intent_check import check_intents

from .conftest import INTENTS

GOOD = "  - id: one\n    title: 一\n    examples: [第一个问题]\n    summary: 找 12348。\n"
ENGLISH = re.compile(r"required property|not allowed|is not|expected|found|syntax|duplicate|warning|error", re.IGNORECASE)


def _problems(tmp_path: Path, text: str, name: str = "one.yaml") -> list[Problem]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    return caught.value.problems


def _only(tmp_path: Path, text: str) -> Problem:
    [problem] = _problems(tmp_path, text)
    assert not ENGLISH.search(problem.message), problem.message
    return problem


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("  - id: one\n    title: 一\n    examples: [问题]\n", 2, "意图 one 缺少必填项“summary”（首条答复）"),
        (GOOD + "    respons: 回答\n", 6, "不认识的字段“respons”——是不是写错了？可用的字段：id、title"),
        (GOOD + "    keywrds: [调解]\n", 6, "不认识的字段“keywrds”——是不是想写“keywords”（关键词）？"),
        ("  - id: one\n    title: 12348\n    examples: [问题]\n    summary: 回答\n", 3, "意图 one 的标题（title）应为文字：请加引号"),
        ("  - id: one\n    title: " + "长" * 31 + "\n    examples: [问题]\n    summary: 回答\n", 3, "标题（title）有 31 个字，最多 30 个字"),
        ("  - id: Legal-Aid\n    title: 一\n    examples: [问题]\n    summary: 回答\n", 2, "编号（id）“Legal-Aid”只能用小写字母、数字和下划线"),
        (GOOD + "    kind: services\n", 6, "类别（kind）只能是 service（公共法律服务）、topic（常见问题）、smalltalk（寒暄与导航）之一"),
        ("  - id: one\n    title: 一\n    examples: []\n    summary: 回答\n", 4, "例句（examples）不能为空：至少写一句居民会怎么问"),
        ("  - id: one\n    title: 一\n    examples: [问题]\n    summary:\n", 5, "首条答复（summary）没有填写内容"),
        (GOOD + "    keywords: 调解，说和\n", 6, "关键词（keywords）应为列表"),
        (GOOD + "    buttons: [legal_aid，mediation]\n", 6, "按钮（buttons）第 1 项“legal_aid，mediation”写法不对：应为意图编号（如 legal_aid）或 flow:流程名（如 flow:deadline）；这里用了中文逗号"),
        (GOOD + "    reviewed: 2026/1/1\n", 6, "审核日期（reviewed）“2026/1/1”写法不对：应为 2026-11-27 这样的年-月-日"),
        (GOOD + "    sections:\n      - title: 时限\n        txt: 一年\n", 8, "分段（sections）第 1 段里有不认识的字段“txt”——是不是想写“text”（内容，必填）？"),
    ],
)
def test_schema_errors_name_the_field_in_chinese_at_its_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    problem = _only(tmp_path, "intents:\n" + body)
    assert problem.line == line and words in problem.message
    assert str(problem) == f"{tmp_path / 'one.yaml'}:{line}: 错误: {problem.message}"


def test_a_full_width_colon_as_key_separator_is_named_at_its_line(tmp_path: Path) -> None:
    text = "intents:\n  - id: one\n    title: 一\n    examples: [问题]\n    summary：回答\n"
    problem = _only(tmp_path, text)
    assert (problem.line, problem.message) == (5, "第5行用了全角冒号“：”，YAML 需要半角冒号“:”：请写成“summary: …”（冒号后面空一格）")


def test_a_full_width_colon_that_still_parses_is_named_instead_of_what_follows(tmp_path: Path) -> None:
    problem = _only(tmp_path, "intents:\n  - id：one\n")  # parses: a list holding the text "id：one"
    assert problem.line == 2 and "第2行用了全角冒号“：”" in problem.message


def test_tab_indentation_is_named(tmp_path: Path) -> None:
    problem = _only(tmp_path, "intents:\n  - id: one\n\ttitle: 一\n")
    assert problem.line == 3 and "第3行用 Tab 键缩进，YAML 只能用空格缩进" in problem.message


def test_an_unclosed_quote_is_reported_where_it_opened_not_where_the_parser_gave_up(tmp_path: Path) -> None:
    second = "  - id: two\n    title: \"二\"\n    examples: [问题二]\n    summary: 回答\n"
    text = "intents:\n  - id: one\n    title: \"一\n    examples: [问题]\n    summary: 回答\n" + second
    problem = _only(tmp_path, text)
    assert problem.line == 3 and "第3行的引号“\"”没有配对" in problem.message


def test_an_unclosed_quote_in_a_shipped_file_is_found_on_its_line(tmp_path: Path) -> None:
    text = (INTENTS / "mediation.yaml").read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith("reviewed:"))
    broken = re.sub(r'(reviewed: "[^"]*)"', r"\1", text, count=1)  # the closing quote dropped
    assert broken != text
    problem = _only(tmp_path, broken)
    assert problem.line == line and "引号" in problem.message


def test_a_list_left_open_is_reported_where_it_opened(tmp_path: Path) -> None:
    problem = _only(tmp_path, "intents:\n  - id: one\n    title: 一\n    examples: [问题, 另一个问题\n    summary: 回答\n")
    assert problem.line == 4 and "方括号“[ ]”里的列表没有写完" in problem.message


def test_a_file_that_is_not_utf8_is_named_at_the_line(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_bytes(("intents:\n" + GOOD).encode() + "    keywords: [调解]\n".encode("gbk"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    [problem] = caught.value.problems
    assert problem.line == 6 and "不是 UTF-8 编码" in problem.message


def test_contact_and_cross_file_errors_are_chinese(tmp_path: Path) -> None:
    (tmp_path / "contacts.yaml").write_text("contacts:\n  centre:\n    tel: '12348'\n", encoding="utf-8")
    [contact] = _problems(tmp_path, "intents:\n" + GOOD)
    assert contact.line == 3 and "联系方式 centre 里有不认识的字段“tel”" in contact.message and "电话（phone）" in contact.message
    (tmp_path / "contacts.yaml").write_text("contacts:\n  centre:\n    phone: ''\n", encoding="utf-8")
    problems = _problems(tmp_path, "intents:\n" + GOOD + "    buttons: [no_such]\n    contacts: [nowhere]\n" + GOOD)
    messages = [p.message for p in problems]
    assert any(m.startswith("意图编号“one”重复了（第一次出现在") for m in messages)
    assert "意图 one 的按钮指向不存在的意图“no_such”：检查编号的拼写" in messages
    assert any("联系方式“nowhere”在 contacts.yaml 里没有" in m for m in messages)
    assert not any(ENGLISH.search(m) for m in messages)


def _checked(tmp_path: Path, body: str) -> list[Problem]:
    (tmp_path / "one.yaml").write_text("intents:\n" + body, encoding="utf-8")
    _, problems = check_intents(tmp_path, today=dt.date(2026, 12, 1))
    assert not any(ENGLISH.search(p.message) for p in problems), [p.message for p in problems]
    return problems


def test_a_keyword_with_chinese_commas_is_a_warning_at_its_line(tmp_path: Path) -> None:
    body = "  - id: one\n    title: 一\n    reviewed: '2026-11-01'\n    sources: [《人民调解法》第二条]\n"
    body += "    keywords:\n      - 调解员\n      - 调解，说和\n    examples: [第一个问题]\n    summary: 找 12348。\n"
    [warning] = _checked(tmp_path, body)
    assert (warning.severity, warning.line) == ("warning", 8)
    assert "关键词“调解，说和”里有中文逗号，是不是想写成多个关键词？用半角逗号分开：[调解, 说和]" in warning.message
    assert str(warning).startswith(f"{tmp_path / 'one.yaml'}:8: 提醒: ")


def test_completeness_and_duplicate_warnings_are_chinese(tmp_path: Path) -> None:
    body = "  - id: one\n    title: 一\n    reviewed: '2025-01-01'\n    examples:\n      - 第一个问题\n      - 第一个问题！\n    summary: 找 12348。\n"
    problems = _checked(tmp_path, body)
    messages = {p.message for p in problems}
    assert ("warning", 7, "意图 one 的例句“第一个问题！”重复了（第一次在第6行）：删掉一句") in {(p.severity, p.line, p.message) for p in problems}
    assert "意图 one 没有法律依据（sources）：写上答复所依据的法律和条文" in messages
    assert "意图 one 没有关键词（keywords）：写几个一出现就能说明是这个问题的词" in messages
    assert any(m.startswith("意图 one 的审核日期（reviewed）是 2025-01-01，已超过一年") for m in messages)


def test_intents_check_prints_chinese_with_file_line_and_a_chinese_summary(cli, tmp_path: Path) -> None:
    good = "  - id: one\n    title: 一\n    reviewed: '2026-11-01'\n    sources: [《人民调解法》第二条]\n"
    (tmp_path / "one.yaml").write_text("intents:\n" + good + "    keywords: [调解，说和]\n    examples: [第一个问题]\n    summary: 找 12348。\n", encoding="utf-8")
    result = cli("intents", "check", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"{tmp_path / 'one.yaml'}:6: 提醒: 意图 one 的关键词“调解，说和”里有中文逗号" in result.stdout
    assert f"{tmp_path}: 1 个意图，1 个例句 — 0 个错误，1 个提醒" in result.stdout

    (tmp_path / "one.yaml").write_text("intents:\n  - id: one\n    title：一\n", encoding="utf-8")
    broken = cli("intents", "check", str(tmp_path))
    assert broken.returncode == 1
    assert f"{tmp_path / 'one.yaml'}:3: 错误: 第3行用了全角冒号“：”" in broken.stderr
    assert f"{tmp_path}: 1 个错误，文件无法加载" in broken.stderr and "Traceback" not in broken.stderr
