"""The NLU command line, run as users run it."""

import json
import shutil

from .conftest import EVAL_SET, INTENTS

ACCURACY_FLOOR = 0.92
OUT_OF_SCOPE_FLOOR = 0.90


def test_eval_on_the_shipped_set_meets_the_floors(cli):
    result = cli("eval", str(EVAL_SET), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["examples"] >= 200
    assert report["accuracy"] >= ACCURACY_FLOOR, report["errors"]
    assert report["out_of_scope_rejection"] >= OUT_OF_SCOPE_FLOOR, report["errors"]
    assert report["emergency_recall"] == 1.0, report["emergencies_missed"]
    assert {row["threshold"] for row in report["threshold_sweep"]} >= {50, 60, 70}
    assert report["per_intent"]["legal_aid"]["f1"] > 0


def test_eval_text_report_has_the_sections_an_admin_reads(cli):
    result = cli("eval", str(EVAL_SET))
    assert result.returncode == 0
    for heading in ("accuracy:", "out-of-scope rejection:", "per topic:", "per service:", "threshold sweep:"):
        assert heading in result.stdout


def test_match_json_reads_stdin_lines_in_order(cli):
    result = cli("match", "--json", stdin="法律援助怎么申请\n今天天气好热\n遗嘱公证要带什么\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["法律援助怎么申请", "今天天气好热", "遗嘱公证要带什么"]
    assert [r["intent"] for r in rows] == ["legal_aid", None, "notarization"]
    assert all(set(r) >= {"text", "intent", "score", "candidates"} for r in rows)
    assert rows[0]["candidates"][0] == {"intent": "legal_aid", "score": rows[0]["score"]}


def test_match_takes_text_arguments(cli):
    result = cli("match", "人民调解收费吗", "--json")
    assert json.loads(result.stdout)["intent"] == "mediation"


def test_intents_check_passes_on_the_shipped_intents(cli):
    result = cli("intents", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "个意图" in result.stdout and "— 0 个错误，" in result.stdout


def test_intents_check_fails_with_file_and_line_on_a_bad_edit(cli, tmp_path):
    copy = tmp_path / "intents"
    shutil.copytree(INTENTS, copy)
    path = copy / "legal_aid.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    summary:", "    summry:", 1), encoding="utf-8")
    result = cli("intents", "check", str(copy))
    assert result.returncode != 0
    assert f"{path}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_intents_check_reports_an_example_shared_by_two_intents(cli, tmp_path):
    copy = tmp_path / "intents"
    shutil.copytree(INTENTS, copy)
    (copy / "dup.yaml").write_text(
        "intents:\n  - id: dup\n    title: 重复\n    examples: [法律援助怎么申请呀]\n    summary: 回答\n"
        "  - id: dup2\n    title: 重复2\n    examples: [法律援助怎么申请呀]\n    summary: 回答\n",
        encoding="utf-8",
    )
    result = cli("intents", "check", str(copy))
    assert result.returncode != 0
    assert "同一句不能属于两个意图" in result.stderr and "dup.yaml:" in result.stderr
    assert "个错误，文件无法加载" not in result.stderr, "the files load; the check found the error"


def test_bad_eval_file_is_reported_with_its_line(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "你好", "intent": "greeting"}\nnot json\n', encoding="utf-8")
    result = cli("eval", str(bad))
    assert result.returncode == 2
    assert f"{bad}:2" in result.stderr and "Traceback" not in result.stderr


def test_missing_intents_folder_is_a_clear_error(cli, tmp_path):
    result = cli("match", "你好", "--intents", str(tmp_path / "none"))
    assert result.returncode == 2
    assert "找不到这个意图文件夹" in result.stderr and "Traceback" not in result.stderr
