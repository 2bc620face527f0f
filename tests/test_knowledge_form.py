"""The editor's checks as staff type, in Chinese naming the field and line, and the draft: the
intent's file re-read by the bot's own loader, every other file and comment left as it was."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.knowledge.folder import load_files, read_folder
from bot.knowledge.form import IntentForm, check_form, draft

from .conftest import INTENTS

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return read_folder(INTENTS)


@pytest.fixture(scope="module")
def loaded(files):
    return load_files(files)


def messages(form: IntentForm, loaded, intent_id: str = "mediation") -> list[str]:
    return [f"{p.field}|{p.severity}|{p.message}" for p in check_form(intent_id, form, loaded, TODAY)]


def test_the_shipped_intent_passes_and_its_untouched_draft_is_the_same_files(files, loaded) -> None:
    form = IntentForm.of(loaded["mediation"])
    assert [m for m in messages(form, loaded) if "|error|" in m] == []
    edited, knowledge, problems = draft(files, "mediation", form, loaded)
    assert edited == files and problems == [] and knowledge["mediation"] == dataclasses.replace(loaded["mediation"])


def test_the_mistakes_staff_make_are_named_by_field_and_line(loaded) -> None:
    form = IntentForm.of(loaded["mediation"])
    other = loaded["legal_aid"].examples[0]
    bad = dataclasses.replace(
        form,
        keywords=(*form.keywords, "调解，说和"),
        examples=(*form.examples, form.examples[1], other),
        buttons=("flow：deadline", "no_such_intent", "flow:eligibilty", "legal_aid"),
        reviewed="2026-13-01",
    )
    found = messages(bad, loaded)
    keyword_line = len(form.keywords) + 1
    assert f"keywords|error|关键词第 {keyword_line} 行“调解，说和”里有中文逗号或顿号：一行只写一个关键词，分开写成几行" in found
    assert any(m.startswith("examples|error|") and f"与第 2 行重复" in m for m in found)
    assert any(m.startswith("examples|error|") and "法律援助" in m and "同一句不能属于两个意图" in m for m in found)
    assert "buttons|error|按钮第 1 行“flow：deadline”用了全角冒号“：”，请改成半角冒号“:”（flow:名称）" in found
    assert "buttons|error|按钮第 2 行指向不存在的意图“no_such_intent”" in found
    assert any(m.startswith("buttons|error|按钮第 3 行指向不存在的流程“eligibilty”") for m in found)
    assert any(m.startswith("reviewed|error|审核日期“2026-13-01”写法不对") for m in found)
    assert not any("第 4 行" in m for m in found if m.startswith("buttons"))


def test_empty_and_future_and_personal_data(loaded) -> None:
    form = IntentForm.of(loaded["mediation"])
    found = messages(dataclasses.replace(form, title="", summary="", examples=(), reviewed="2027-01-01"), loaded)
    assert any(m.startswith("title|error|标题不能为空") for m in found)
    assert any(m.startswith("summary|error|首条答复不能为空") for m in found)
    assert any(m.startswith("examples|error|例句不能为空") for m in found)
    assert any(m.startswith("reviewed|error|审核日期 2027-01-01 还没到") for m in found)
    with_name = dataclasses.replace(form, examples=(*form.examples, "我叫张三，想找人调解"))
    assert any("将存为“我叫[姓名]，想找人调解”" in m for m in messages(with_name, loaded))
    assert with_name.redacted(loaded["mediation"]).examples[-1] == "我叫[姓名]，想找人调解"


def test_a_draft_is_what_the_bot_would_load(files, loaded) -> None:
    form = IntentForm.of(loaded["mediation"])
    changed = dataclasses.replace(form, summary="新的第一句。\n第二行（依据《中华人民共和国人民调解法》第四条）", sections=(*form.sections, ("新分段", "分段的内容")))
    edited, knowledge, problems = draft(files, "mediation", changed, loaded)
    assert problems == []
    assert [name for name in files if edited[name] != files[name]] == ["mediation.yaml"]
    assert knowledge["mediation"].summary.startswith("新的第一句。\n第二行")
    assert knowledge["mediation"].sections[-1].title == "新分段"
    assert load_files(edited)["mediation"] == dataclasses.replace(knowledge["mediation"], line=load_files(edited)["mediation"].line)
    assert "# 人民调解（服务）" in edited["mediation.yaml"]  # the file's comments stay

    broken = dataclasses.replace(form, buttons=("flow：deadline",))
    _, none, problems = draft(files, "mediation", broken, loaded)
    assert none is None and problems and str(problems[0].path) == "mediation.yaml"
