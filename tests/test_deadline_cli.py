"""`legalbot deadline …` and the guided flows in `legalbot chat`, run as the real program."""

import json
from datetime import date, timedelta

import chinese_calendar
import pytest

from bot.store import open_store


def rest_days_between(first: date, last: date) -> bool:
    day = first
    while day < last:
        if chinese_calendar.is_workday(day):
            return False
        day += timedelta(days=1)
    return True


@pytest.mark.parametrize(
    ("args", "last_day", "rolled_over_from"),
    [
        # National Day 2025 (10-1 … 10-8)
        (["administrative-review", "--known", "2025-08-02"], "2025-10-09", "2025-10-01"),
        # Sunday 2025-04-27 was an adjusted working day: no roll-over
        (["administrative-review", "--known", "2025-02-26"], "2025-04-27", None),
        # Spring Festival 2026 (2-15 … 2-23), date typed the Chinese way
        (["litigation-after-review", "--received", "2026年2月1日"], "2026-02-24", "2026-02-16"),
    ],
)
def test_json_answer(cli, args, last_day, rolled_over_from):
    result = cli("deadline", *args, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["last_day"] == last_day
    assert data["rolled_over_from"] == rolled_over_from
    assert {"start", "days", "basis", "note"} <= set(data)
    assert data["basis"] and data["note"] and data["holiday_data_missing"] is False
    # The calendar itself agrees: the last day is a working day, and any day skipped was a rest day.
    last = date.fromisoformat(last_day)
    assert chinese_calendar.is_workday(last)
    if rolled_over_from:
        assert rest_days_between(date.fromisoformat(rolled_over_from), last)


def test_plain_answer_for_a_year_without_holiday_data(cli):
    result = cli("deadline", "administrative-litigation", "--known", "2027-03-03")
    assert result.returncode == 0, result.stderr
    assert "最后一天：2027年9月3日（星期五）" in result.stdout
    assert "暂无2027年的法定节假日数据" in result.stdout
    assert "《中华人民共和国行政诉讼法》第四十六条" in result.stdout
    assert "不构成法律意见" in result.stdout


def test_bad_date_is_a_clear_message_and_exit_2(cli):
    result = cli("deadline", "administrative-review", "--known", "2025-02-30", "--json")
    assert result.returncode == 2
    assert "日期“2025-02-30”不存在" in result.stderr and "2025-08-02" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


async def test_piped_chat_runs_both_flows_and_logs_only_their_results(cli, tmp_path):
    lines = [
        "/deadline 2025-08-02",
        "/eligibility",
        "1",  # 讨薪、确认劳动关系
        "1",  # 还没有 (no lawyer yet)
        "3",  # 进城务工人员
        "2",  # no deadline within 7 days
    ]
    db = str(tmp_path / "log.sqlite3")
    result = cli("chat", stdin="\n".join(lines) + "\n", env={"LEGALBOT_DB": db})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "最后一天：2025年10月9日（星期四）" in out
    assert "进城务工人员，讨要劳动报酬或工伤赔偿" in out
    assert "【法律援助自测结果：很可能符合条件】" in out
    assert "12348" in out.split("【法律援助自测结果")[1]
    assert "Traceback" not in result.stderr
    store = await open_store(db)
    try:
        logged = await store.inquiries()
    finally:
        await store.close()
    assert [(i.intent, i.score) for i in logged] == [("administrative_review", 100.0), ("legal_aid", 100.0)]
    assert "2025年10月9日" in logged[0].reply and "法律援助自测结果" in logged[1].reply
