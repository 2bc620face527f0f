"""Intent files an attacker or a careless edit could make explode: aliases and sheer size."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from bot.core.knowledge import MAX_KNOWLEDGE_FILE_BYTES, KnowledgeError, load_knowledge


def billion_laughs(levels: int = 9) -> str:
    """The classic: each level is a list of ten aliases of the one before (10**levels strings)."""
    lines = ['a: &a ["哈哈"]']
    for level in range(1, levels + 1):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    lines.append("intents:\n  - id: laughs\n    title: 笑\n    examples: *" + chr(ord("a") + levels))
    lines.append("    response: 回答")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_its_first_anchor_with_bounded_memory(intents_copy: Path) -> None:
    path = intents_copy / "laughs.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(KnowledgeError) as caught:
            load_knowledge(intents_copy)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"{path}:1: 错误: 不支持 YAML 锚点/别名（&、*）" in str(caught.value)
    assert peak < 50 * 2**20


def test_a_lone_alias_is_refused_on_its_line(intents_copy: Path) -> None:
    path = intents_copy / "alias.yaml"
    path.write_text(
        "intents:\n  - id: alias\n    title: 别名\n    examples: [问题]\n    response: *nowhere\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(intents_copy)
    assert f"{path}:5: 错误: 不支持 YAML 锚点/别名" in str(caught.value)


def test_an_anchor_in_the_contacts_file_is_refused_too(intents_copy: Path) -> None:
    path = intents_copy / "contacts.yaml"
    path.write_text("contacts:\n  a: &same\n    note: 说明\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="锚点/别名"):
        load_knowledge(intents_copy)


def test_an_oversized_file_is_refused_without_reading_it_all(intents_copy: Path) -> None:
    path = intents_copy / "huge.yaml"
    filler = "# " + "很长的注释" * 20 + "\n"
    path.write_text(filler * (3 * MAX_KNOWLEDGE_FILE_BYTES // len(filler.encode())), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(intents_copy)
    assert str(caught.value) == f"{path}: 错误: 文件超过 1024 KiB 的上限，请拆分成几个较小的文件"


def test_a_file_just_under_the_limit_still_loads(intents_copy: Path) -> None:
    path = intents_copy / "mediation.yaml"
    text = path.read_text(encoding="utf-8")
    padding = MAX_KNOWLEDGE_FILE_BYTES - len(text.encode()) - 1
    path.write_text(text + "#" * padding + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_KNOWLEDGE_FILE_BYTES
    assert "mediation" in load_knowledge(intents_copy)


def test_intents_check_reports_the_alias_without_a_traceback(intents_copy: Path, cli) -> None:
    (intents_copy / "laughs.yaml").write_text(billion_laughs(), encoding="utf-8")
    result = cli("intents", "check", str(intents_copy))
    assert result.returncode != 0
    assert "laughs.yaml:1: 错误: 不支持 YAML 锚点/别名" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
