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


# The keys every kind prints with --json (the contract other tools read).
JSON_KEYS = {
    "kind", "title", "start", "days", "months", "last_day", "rolled_over_from", "basis", "note",
    "holiday_data_missing",
}


@pytest.mark.parametrize(
    ("args", "months", "days", "last_day", "rolled_over_from", "article", "in_note"),
    [
        # Spring Festival 2025 (1-28 … 2-4)
        (["labour-arbitration", "--known", "2024-01-29"], 12, None, "2025-02-05", "2025-01-29",
         "《中华人民共和国劳动争议调解仲裁法》第二十七条", "不受1年限制"),
        # Spring Festival 2026 (2-15 … 2-23), date typed the Chinese way
        (["work-injury", "--injured", "2025年2月17日"], 12, None, "2026-02-24", "2026-02-17",
         "《工伤保险条例》第十七条", "单位应在30日内申请"),
        # National Day 2025 (10-1 … 10-8)
        (["civil-limitation", "--known", "2022-10-05"], 36, None, "2025-10-09", "2025-10-05",
         "《中华人民共和国民法典》第一百八十八条", "第一百九十六条"),
        # leap day → month end 2026-02-28, an adjusted working Saturday: no roll-over
        (["enforcement", "--effective", "2024-02-29"], 24, None, "2026-02-28", None,
         "《中华人民共和国民事诉讼法》第二百五十条", "履行期限"),
        # National Day 2026 (10-1 … 10-7)
        (["judicial-confirmation", "--agreement", "2026/9/2"], None, 30, "2026-10-08", "2026-10-02",
         "《中华人民共和国人民调解法》第三十三条", "双方共同"),
    ],
)
def test_json_answer_for_the_civil_periods(cli, args, months, days, last_day, rolled_over_from, article, in_note):
    result = cli("deadline", *args, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == JSON_KEYS
    assert data["kind"] == args[0] and (data["months"], data["days"]) == (months, days)
    assert data["last_day"] == last_day and data["rolled_over_from"] == rolled_over_from
    assert data["basis"][0] == article and "《中华人民共和国民法典》第二百零一条" in data["basis"]
    assert in_note in data["note"] and "起算日拿不准" in data["note"]
    assert data["holiday_data_missing"] is False
    last = date.fromisoformat(last_day)
    assert chinese_calendar.is_workday(last)
    if rolled_over_from:
        assert rest_days_between(date.fromisoformat(rolled_over_from), last)


def test_every_kind_keeps_the_same_json_keys(cli):
    for kind in ("administrative-review", "labour-arbitration"):
        result = cli("deadline", kind, "--known", "2025-06-02", "--json")
        assert result.returncode == 0, result.stderr
        assert set(json.loads(result.stdout)) == JSON_KEYS


def test_help_lists_every_kind_with_its_period(cli):
    result = cli("deadline", "--help")
    assert result.returncode == 0, result.stderr
    for kind, description in [
        ("administrative-review", "申请行政复议（60日"),
        ("administrative-litigation", "直接提起行政诉讼（6个月"),
        ("litigation-after-review", "经行政复议后提起行政诉讼（15日"),
        ("labour-arbitration", "申请劳动仲裁（1年"),
        ("work-injury", "本人或家属申请工伤认定（1年"),
        ("civil-limitation", "民事诉讼时效（3年"),
        ("enforcement", "申请强制执行（2年"),
        ("judicial-confirmation", "申请司法确认调解协议（30日"),
    ]:
        assert kind in result.stdout and description in result.stdout


def test_each_kind_asks_for_its_own_start_option(cli):
    result = cli("deadline", "work-injury", "--known", "2025-06-02")
    assert result.returncode == 2 and "--injured" in result.stderr


def test_plain_answer_for_a_civil_period(cli):
    result = cli("deadline", "labour-arbitration", "--known", "2025年1月1日")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("申请劳动仲裁的期限为1年，自知道或者应当知道权利被侵害之日（2025年1月1日）的次日起算。")
    assert "最后一天：2026年1月4日（星期日）" in out  # New Year 2026 ends on 1-3; 1-4 is a working Sunday
    assert "依据：《中华人民共和国劳动争议调解仲裁法》第二十七条；《中华人民共和国民法典》第二百零一条" in out
    assert "在职期间申请仲裁不受1年限制" in out and "不构成法律意见" in out


def test_civil_period_into_a_year_without_holiday_data(cli):
    result = cli("deadline", "civil-limitation", "--known", "2025-03-03", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["last_day"] == "2028-03-03" and data["holiday_data_missing"] is True
    assert "暂无2028年的节假日安排数据" in data["note"]


def test_plain_answer_for_a_year_without_holiday_data(cli):
    result = cli("deadline", "administrative-litigation", "--known", "2027-03-03")
    assert result.returncode == 0, result.stderr
    assert "最后一天：2027年9月3日（星期五）" in result.stdout
    assert "暂无2027年的节假日安排数据" in result.stdout
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


def test_piped_chat_picks_a_civil_period_by_its_number(cli, tmp_path):
    lines = ["/deadline", "4", "2024-01-29"]  # [4] 申请劳动仲裁（1年）
    result = cli("chat", stdin="\n".join(lines) + "\n", env={"LEGALBOT_DB": str(tmp_path / "log.sqlite3")})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  [4] 申请劳动仲裁（1年）" in out and "  [8] 申请司法确认调解协议（30日）" in out
    assert "知道或者应当知道权利被侵害之日" in out
    assert "最后一天：2025年2月5日（星期三）" in out and "  [2] 劳动争议怎么办" in out
