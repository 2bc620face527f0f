from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeError, load_knowledge

FIXED_IDS = {
    "legal_aid", "mediation", "administrative_review", "notarization", "legal_consultation",
    "enforcement_complaint", "business_legal_services", "government_services", "legal_education",
    "greeting", "thanks", "goodbye", "help", "human_agent", "emergency",
}
SERVICES = FIXED_IDS - {"greeting", "thanks", "goodbye", "help", "human_agent", "emergency"}
# 普法 and cross-region government services rest on the district report, not on a statute article.
STATUTORY = SERVICES - {"legal_education", "government_services"}


def test_shipped_knowledge_has_every_fixed_intent(knowledge):
    assert FIXED_IDS <= set(knowledge.ids)


def test_service_intents_have_enough_examples_sources_and_keywords(knowledge):
    for intent_id in SERVICES | {"emergency"}:
        intent = knowledge[intent_id]
        assert len(intent.examples) >= 20, intent_id
        assert intent.keywords, intent_id
    for intent_id in STATUTORY:
        assert any("第" in s and "条" in s for s in knowledge[intent_id].sources), intent_id
    for intent_id in FIXED_IDS - SERVICES - {"emergency"}:
        assert len(knowledge[intent_id].examples) >= 8, intent_id


def test_shipped_contacts_are_empty_so_nothing_local_is_invented(knowledge):
    assert knowledge.contacts
    assert not any(c.is_filled for c in knowledge.contacts.values())


def test_yaml_syntax_error_names_file_and_line(intents_copy: Path):
    path = intents_copy / "mediation.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "  - id: [broken")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(intents_copy)
    assert f"{path}:4: 错误: 方括号“[ ]”里的列表没有写完" in str(caught.value), "at the line the list opened, in Chinese"


def test_schema_error_names_file_line_and_field(intents_copy: Path):
    path = intents_copy / "notarization.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    title:", "    titel:", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(intents_copy)
    [problem] = caught.value.problems  # the misspelt key, not also a missing title
    assert (problem.path, problem.line) == (path, 7)
    assert "不认识的字段“titel”——是不是想写“title”（标题，必填）？" in problem.message


def test_unknown_button_target_is_reported(intents_copy: Path):
    path = intents_copy / "extra.yaml"
    path.write_text(
        "intents:\n  - id: extra\n    title: 额外\n    examples: [额外的问题]\n    summary: 回答\n    buttons: [no_such_intent]\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(intents_copy)
    assert "no_such_intent" in str(caught.value) and f"{path}:2" in str(caught.value)


def test_missing_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(KnowledgeError, match="找不到这个意图文件夹"):
        load_knowledge(tmp_path / "nope")
