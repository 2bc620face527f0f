"""Statutory deadline calculator: counting, rest-day roll-over, formatting, date parsing."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import chinese_calendar
import pytest

from bot.errors import UserError
from bot.flows.deadline import (
    DEADLINE_KINDS,
    DateParseError,
    UnknownDeadlineKind,
    compute_deadline,
    date_in,
    format_deadline,
    parse_date,
)

REVIEW = "administrative-review"
LITIGATION = "administrative-litigation"
AFTER_REVIEW = "litigation-after-review"
LABOUR = "labour-arbitration"
INJURY = "work-injury"
CIVIL = "civil-limitation"
ENFORCEMENT = "enforcement"
CONFIRMATION = "judicial-confirmation"
ADMINISTRATIVE_KINDS = (REVIEW, LITIGATION, AFTER_REVIEW)
CIVIL_KINDS = (LABOUR, INJURY, CIVIL, ENFORCEMENT, CONFIRMATION)
CIVIL_CODE = "《中华人民共和国民法典》"


def _covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


# --- the rules table ---------------------------------------------------------------------


def test_kinds_are_the_cli_keys() -> None:
    assert tuple(DEADLINE_KINDS) == ADMINISTRATIVE_KINDS + CIVIL_KINDS
    for kind, rule in DEADLINE_KINDS.items():
        assert rule.kind == kind


@pytest.mark.parametrize(
    ("kind", "days", "months", "article"),
    [
        (REVIEW, 60, None, "《中华人民共和国行政复议法》第二十条"),
        (LITIGATION, None, 6, "《中华人民共和国行政诉讼法》第四十六条"),
        (AFTER_REVIEW, 15, None, "《中华人民共和国行政诉讼法》第四十五条"),
    ],
)
def test_rule_periods_and_basis(
    kind: str, days: int | None, months: int | None, article: str
) -> None:
    rule = DEADLINE_KINDS[kind]
    assert (rule.days, rule.months) == (days, months)
    assert rule.basis[0] == article
    assert "《中华人民共和国民事诉讼法》第八十五条" in rule.basis


@pytest.mark.parametrize(
    ("kind", "days", "months", "period", "article"),
    [
        (LABOUR, None, 12, "1年", "《中华人民共和国劳动争议调解仲裁法》第二十七条"),
        (INJURY, None, 12, "1年", "《工伤保险条例》第十七条"),
        (CIVIL, None, 36, "3年", "《中华人民共和国民法典》第一百八十八条"),
        (ENFORCEMENT, None, 24, "2年", "《中华人民共和国民事诉讼法》第二百五十条"),
        (CONFIRMATION, 30, None, "30日", "《中华人民共和国人民调解法》第三十三条"),
    ],
)
def test_civil_rule_periods_and_basis(
    kind: str, days: int | None, months: int | None, period: str, article: str
) -> None:
    rule = DEADLINE_KINDS[kind]
    assert (rule.days, rule.months, rule.period) == (days, months, period)
    assert rule.basis[0] == article
    # Counted by 民法典 Art. 201 and 203; Art. 202 (corresponding day, month end) for years.
    assert f"{CIVIL_CODE}第二百零一条" in rule.basis and f"{CIVIL_CODE}第二百零三条" in rule.basis
    assert (f"{CIVIL_CODE}第二百零二条" in rule.basis) is (months is not None)
    assert "《中华人民共和国民事诉讼法》第八十五条" not in rule.basis


def test_judicial_confirmation_also_cites_the_civil_procedure_law() -> None:
    assert "《中华人民共和国民事诉讼法》第二百零五条" in DEADLINE_KINDS[CONFIRMATION].basis


def test_civil_limitation_cites_interruption_and_support_claims() -> None:
    basis = DEADLINE_KINDS[CIVIL].basis
    assert f"{CIVIL_CODE}第一百九十五条" in basis and f"{CIVIL_CODE}第一百九十六条" in basis


def test_labour_note_explains_the_wage_arrears_rule_and_interruption() -> None:
    notes = "".join(DEADLINE_KINDS[LABOUR].notes)
    assert "拖欠工资" in notes and "在职期间" in notes and "不受1年限制" in notes
    assert "终止之日起1年内" in notes and "第二十七条" in notes
    assert "中断" in notes and "重新计算" in notes and "12333" in notes


def test_work_injury_note_states_the_employers_30_days() -> None:
    notes = "".join(DEADLINE_KINDS[INJURY].notes)
    assert "单位应在30日内申请" in notes and "近亲属" in notes and "工会" in notes
    assert "由单位负担" in notes and "《工伤保险条例》第十七条" in notes


def test_civil_limitation_note_covers_interruption_support_long_stop_and_the_old_rule() -> None:
    notes = "".join(DEADLINE_KINDS[CIVIL].notes)
    assert "中断" in notes and "重新计算" in notes and "第一百九十五条" in notes
    assert all(claim in notes for claim in ("抚养费", "赡养费", "扶养费")) and "第一百九十六条" in notes
    assert "20年" in notes and "第一百八十八条" in notes
    assert "2年" in notes and "旧法" in notes


def test_enforcement_note_says_when_a_performance_period_moves_the_start() -> None:
    notes = "".join(DEADLINE_KINDS[ENFORCEMENT].notes)
    assert "履行期限" in notes and "最后一期" in notes and "第二百五十条" in notes
    assert "中断" in notes


def test_judicial_confirmation_note_says_both_sides_apply() -> None:
    notes = "".join(DEADLINE_KINDS[CONFIRMATION].notes)
    assert "双方共同" in notes and "强制执行" in notes and "第三十三条" in notes


@pytest.mark.parametrize("kind", CIVIL_KINDS)
def test_civil_notes_say_act_early_when_the_start_is_unclear(kind: str) -> None:
    assert any("起算日拿不准" in note and "尽早" in note for note in DEADLINE_KINDS[kind].notes)


def test_review_counting_basis_includes_article_88() -> None:
    assert "《中华人民共和国行政复议法》第八十八条" in DEADLINE_KINDS[REVIEW].basis


def test_review_notes_cover_untold_right_and_outer_limits() -> None:
    notes = "".join(DEADLINE_KINDS[REVIEW].notes)
    assert "未告知" in notes and "1年" in notes and "第二十条" in notes
    assert "20年" in notes and "5年" in notes and "第二十一条" in notes


def test_litigation_notes_cover_outer_limits() -> None:
    notes = "".join(DEADLINE_KINDS[LITIGATION].notes)
    assert "20年" in notes and "5年" in notes and "第四十六条" in notes


def test_rules_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        DEADLINE_KINDS["x"] = DEADLINE_KINDS[REVIEW]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEADLINE_KINDS[REVIEW].days = 1  # type: ignore[misc]


def test_rule_needs_exactly_one_period() -> None:
    rule_type = type(DEADLINE_KINDS[REVIEW])
    with pytest.raises(ValueError):
        rule_type(kind="x", title="x", start_label="x", basis=(), notes=())
    with pytest.raises(ValueError):
        rule_type(kind="x", title="x", start_label="x", basis=(), notes=(), days=1, months=1)


# --- computing ---------------------------------------------------------------------------


def test_review_over_national_day_rolls_to_first_working_day() -> None:
    d = compute_deadline(REVIEW, date(2025, 8, 2))
    assert d.raw_last_day == date(2025, 10, 1)
    assert d.last_day == date(2025, 10, 9)
    assert d.rolled_over_from == date(2025, 10, 1)
    assert d.holiday_data_missing is False
    assert (d.days, d.months) == (60, None)
    assert d.title == "申请行政复议"


# (kind, start, raw last day, last day after any rest-day roll-over)
ADMINISTRATIVE_LAST_DAYS = [
    # plain weekday: no roll
    (REVIEW, date(2025, 6, 2), date(2025, 8, 1), date(2025, 8, 1)),
    (REVIEW, date(2025, 3, 1), date(2025, 4, 30), date(2025, 4, 30)),
    # Saturday → Monday
    (AFTER_REVIEW, date(2025, 1, 3), date(2025, 1, 18), date(2025, 1, 20)),
    # Sunday → Monday
    (AFTER_REVIEW, date(2025, 8, 2), date(2025, 8, 17), date(2025, 8, 18)),
    # Sunday that was an adjusted working day (调休): no roll
    (REVIEW, date(2025, 7, 30), date(2025, 9, 28), date(2025, 9, 28)),
    (AFTER_REVIEW, date(2025, 9, 13), date(2025, 9, 28), date(2025, 9, 28)),
    (AFTER_REVIEW, date(2025, 12, 20), date(2026, 1, 4), date(2026, 1, 4)),
    # Spring Festival 2026 (2-15 … 2-23): → Tuesday 2-24
    (REVIEW, date(2025, 12, 19), date(2026, 2, 17), date(2026, 2, 24)),
    (AFTER_REVIEW, date(2026, 2, 1), date(2026, 2, 16), date(2026, 2, 24)),
    # month end clamped: 08-31 + 6 months → 02-28, itself a 调休 Saturday in 2026
    (LITIGATION, date(2025, 8, 31), date(2026, 2, 28), date(2026, 2, 28)),
    # leap year: 2023-08-31 + 6 months → 2024-02-29 (Thursday)
    (LITIGATION, date(2023, 8, 31), date(2024, 2, 29), date(2024, 2, 29)),
    # from a leap day: same day-of-month exists in August
    (LITIGATION, date(2024, 2, 29), date(2024, 8, 29), date(2024, 8, 29)),
    # month end where the target month is long enough (no clamp), crossing the year
    (LITIGATION, date(2025, 7, 31), date(2026, 1, 31), date(2026, 2, 2)),
    # 31st → 30-day month clamps to the 30th
    (LITIGATION, date(2025, 3, 31), date(2025, 9, 30), date(2025, 9, 30)),
    # month period ending in National Day 2025
    (LITIGATION, date(2025, 4, 1), date(2025, 10, 1), date(2025, 10, 9)),
    # Labour Day 2025 (5-1 … 5-5) → Tuesday 5-6; the Sunday before (4-27) was a working day
    (AFTER_REVIEW, date(2025, 4, 16), date(2025, 5, 1), date(2025, 5, 6)),
    (REVIEW, date(2025, 2, 26), date(2025, 4, 27), date(2025, 4, 27)),
    # National Day 2025 ends 10-8: a holiday Monday 10-6 → Thursday 10-9
    (AFTER_REVIEW, date(2025, 9, 21), date(2025, 10, 6), date(2025, 10, 9)),
    # 2026: Labour Day (5-1 … 5-5) from a Saturday, National Day (10-1 … 10-7)
    (REVIEW, date(2026, 3, 3), date(2026, 5, 2), date(2026, 5, 6)),
    (AFTER_REVIEW, date(2026, 9, 16), date(2026, 10, 1), date(2026, 10, 8)),
    # 60 days across February: leap year ends on 3-1, common year on Sunday 3-2 → 3-3
    (REVIEW, date(2024, 1, 1), date(2024, 3, 1), date(2024, 3, 1)),
    (REVIEW, date(2025, 1, 1), date(2025, 3, 2), date(2025, 3, 3)),
    # crossing into the next year, both years covered
    (REVIEW, date(2025, 11, 29), date(2026, 1, 28), date(2026, 1, 28)),
    # 6 months from a month's first day, and a Saturday the month before Spring Festival
    (LITIGATION, date(2025, 8, 2), date(2026, 2, 2), date(2026, 2, 2)),
    (LITIGATION, date(2025, 7, 24), date(2026, 1, 24), date(2026, 1, 26)),
]

CIVIL_LAST_DAYS = [
    # plain weekday, the same day a year later
    (LABOUR, date(2025, 6, 3), date(2026, 6, 3), date(2026, 6, 3)),
    # leap day: no 2025-02-29, so the month's last day (民法典 Art. 202)
    (LABOUR, date(2024, 2, 29), date(2025, 2, 28), date(2025, 2, 28)),
    (ENFORCEMENT, date(2024, 2, 29), date(2026, 2, 28), date(2026, 2, 28)),  # a 调休 Saturday
    # into a leap year: the corresponding day exists
    (INJURY, date(2023, 2, 28), date(2024, 2, 28), date(2024, 2, 28)),
    (CIVIL, date(2021, 2, 28), date(2024, 2, 28), date(2024, 2, 28)),
    # 30 days across a month end: 01-31 + 30 = 03-02 (common year), 03-01 (leap year)
    (CONFIRMATION, date(2025, 1, 31), date(2025, 3, 2), date(2025, 3, 3)),
    (CONFIRMATION, date(2024, 1, 31), date(2024, 3, 1), date(2024, 3, 1)),
    # Spring Festival 2025 (1-28 … 2-4) → Wednesday 2-5
    (LABOUR, date(2024, 1, 29), date(2025, 1, 29), date(2025, 2, 5)),
    (CIVIL, date(2022, 1, 28), date(2025, 1, 28), date(2025, 2, 5)),
    (CONFIRMATION, date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 5)),
    # Spring Festival 2026 (2-15 … 2-23) → Tuesday 2-24
    (INJURY, date(2025, 2, 17), date(2026, 2, 17), date(2026, 2, 24)),
    (ENFORCEMENT, date(2024, 2, 20), date(2026, 2, 20), date(2026, 2, 24)),
    (CONFIRMATION, date(2026, 1, 23), date(2026, 2, 22), date(2026, 2, 24)),
    # National Day 2025 (10-1 … 10-8) → Thursday 10-9
    (ENFORCEMENT, date(2023, 10, 3), date(2025, 10, 3), date(2025, 10, 9)),
    (CIVIL, date(2022, 10, 5), date(2025, 10, 5), date(2025, 10, 9)),
    (INJURY, date(2024, 10, 8), date(2025, 10, 8), date(2025, 10, 9)),
    # National Day 2026 (10-1 … 10-7) → Thursday 10-8
    (CONFIRMATION, date(2026, 9, 2), date(2026, 10, 2), date(2026, 10, 8)),
    (LABOUR, date(2025, 10, 1), date(2026, 10, 1), date(2026, 10, 8)),
    # Mid-Autumn 2026 (Friday 9-25) → Monday 9-28
    (CONFIRMATION, date(2026, 8, 26), date(2026, 9, 25), date(2026, 9, 28)),
    # adjusted working weekends (调休): no roll-over
    (CONFIRMATION, date(2025, 8, 29), date(2025, 9, 28), date(2025, 9, 28)),  # Sunday
    (LABOUR, date(2025, 2, 14), date(2026, 2, 14), date(2026, 2, 14)),  # Saturday
    (ENFORCEMENT, date(2024, 10, 10), date(2026, 10, 10), date(2026, 10, 10)),  # Saturday
    (CONFIRMATION, date(2025, 12, 5), date(2026, 1, 4), date(2026, 1, 4)),  # Sunday after New Year
    # ordinary weekends: Sunday → Monday, also the Sunday after 2026's 调休 Saturday 10-10
    (CONFIRMATION, date(2025, 6, 6), date(2025, 7, 6), date(2025, 7, 7)),
    (INJURY, date(2025, 10, 11), date(2026, 10, 11), date(2026, 10, 12)),
    # New Year 2026 (1-1 … 1-3) → Sunday 1-4, a working day
    (LABOUR, date(2025, 1, 1), date(2026, 1, 1), date(2026, 1, 4)),
]


@pytest.mark.parametrize(("kind", "start", "raw", "last"), ADMINISTRATIVE_LAST_DAYS + CIVIL_LAST_DAYS)
def test_last_day(kind: str, start: date, raw: date, last: date) -> None:
    d = compute_deadline(kind, start)
    assert d.raw_last_day == raw
    assert d.last_day == last
    assert d.rolled_over_from == (raw if raw != last else None)
    assert d.holiday_data_missing is False
    assert chinese_calendar.is_workday(d.last_day)


@pytest.mark.skipif(_covers(2027), reason="chinese_calendar now has 2027 holiday data")
def test_civil_period_into_a_year_without_holiday_data_skips_weekends() -> None:
    # 2024-02-29 + 3 years → 2027-02-28 (month end, a Sunday) → Monday 2027-03-01.
    d = compute_deadline(CIVIL, date(2024, 2, 29))
    assert d.raw_last_day == date(2027, 2, 28)
    assert d.last_day == date(2027, 3, 1)
    assert d.holiday_data_missing is True
    assert d.notes[-1].startswith("暂无2027年的节假日安排数据")


def test_start_day_is_not_counted() -> None:
    d = compute_deadline(AFTER_REVIEW, date(2025, 6, 2))
    assert (d.raw_last_day - d.start).days == 15


def test_deadline_carries_rule_fields() -> None:
    d = compute_deadline(LITIGATION, date(2025, 8, 31))
    rule = DEADLINE_KINDS[LITIGATION]
    assert (d.kind, d.title, d.basis, d.notes) == (rule.kind, rule.title, rule.basis, rule.notes)
    assert (d.days, d.months) == (None, 6)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.last_day = date(2030, 1, 1)  # type: ignore[misc]


@pytest.mark.skipif(_covers(2027), reason="chinese_calendar now has 2027 holiday data")
def test_2027_has_no_holiday_data_but_still_skips_weekends() -> None:
    # 2027-01-01 + 15 = Saturday 2027-01-16 → Monday 2027-01-18 by the weekend fallback.
    d = compute_deadline(AFTER_REVIEW, date(2027, 1, 1))
    assert d.raw_last_day == date(2027, 1, 16)
    assert d.last_day == date(2027, 1, 18)
    assert d.rolled_over_from == date(2027, 1, 16)
    assert d.holiday_data_missing is True
    assert "2027年" in d.notes[-1] and "周末" in d.notes[-1]
    assert "2027年" in d.as_dict()["note"]


@pytest.mark.skipif(_covers(2027), reason="chinese_calendar now has 2027 holiday data")
def test_2027_weekday_result_still_flags_missing_data() -> None:
    d = compute_deadline(AFTER_REVIEW, date(2027, 3, 1))
    assert d.last_day == d.raw_last_day == date(2027, 3, 16)
    assert d.rolled_over_from is None
    assert d.holiday_data_missing is True


@pytest.mark.skipif(_covers(2028), reason="chinese_calendar now has 2028 holiday data")
def test_month_end_into_uncovered_leap_year() -> None:
    d = compute_deadline(LITIGATION, date(2027, 8, 31))
    assert d.last_day == d.raw_last_day == date(2028, 2, 29)
    assert d.holiday_data_missing is True


def test_uncovered_year_falls_back_to_weekends() -> None:
    # Far outside the package's data whatever its version: 2099-05-02 is a Saturday.
    d = compute_deadline(AFTER_REVIEW, date(2099, 4, 17))
    assert d.raw_last_day == date(2099, 5, 2)
    assert d.last_day == date(2099, 5, 4)
    assert d.holiday_data_missing is True
    assert len(d.notes) == len(DEADLINE_KINDS[AFTER_REVIEW].notes) + 1
    assert "2099年" in d.notes[-1]


def test_covered_year_adds_no_missing_data_note() -> None:
    d = compute_deadline(REVIEW, date(2025, 8, 2))
    assert d.notes == DEADLINE_KINDS[REVIEW].notes


@pytest.mark.parametrize("kind", ["", "review", "Administrative-Review", "行政复议"])
def test_unknown_kind_lists_known_kinds(kind: str) -> None:
    with pytest.raises(UnknownDeadlineKind) as error:
        compute_deadline(kind, date(2025, 8, 2))
    assert isinstance(error.value, ValueError)
    message = str(error.value)
    assert "未知" in message and "unknown" in message
    for known in DEADLINE_KINDS:
        assert known in message


# --- as_dict -----------------------------------------------------------------------------


def test_as_dict_is_json_ready() -> None:
    d = compute_deadline(REVIEW, date(2025, 8, 2))
    data = d.as_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert set(data) == {
        "kind",
        "title",
        "start",
        "days",
        "months",
        "last_day",
        "rolled_over_from",
        "basis",
        "note",
        "holiday_data_missing",
    }
    assert data["kind"] == REVIEW
    assert data["start"] == "2025-08-02"
    assert data["last_day"] == "2025-10-09"
    assert data["rolled_over_from"] == "2025-10-01"
    assert (data["days"], data["months"]) == (60, None)
    assert data["basis"] == list(d.basis)
    assert data["note"] == "".join(d.notes)
    assert data["holiday_data_missing"] is False


def test_as_dict_without_roll_has_null() -> None:
    data = compute_deadline(LITIGATION, date(2025, 8, 31)).as_dict()
    assert data["rolled_over_from"] is None
    assert (data["days"], data["months"]) == (None, 6)
    assert data["last_day"] == "2026-02-28"


# --- format_deadline ---------------------------------------------------------------------


def test_format_rolled_over() -> None:
    text = format_deadline(compute_deadline(REVIEW, date(2025, 8, 2)))
    assert "2025年10月9日（星期四）" in text
    assert "2025年10月1日（星期三）" in text
    assert "顺延" in text
    assert "60日" in text and "（2025年8月2日）的次日起算" in text
    assert "《中华人民共和国行政复议法》第二十条" in text
    assert "《中华人民共和国民事诉讼法》第八十五条" in text
    for note in DEADLINE_KINDS[REVIEW].notes:
        assert note in text
    assert "仅供参考，不构成法律意见；具体以办案机关认定为准" in text
    assert "12348" in text


def test_format_not_rolled_says_so() -> None:
    text = format_deadline(compute_deadline(LITIGATION, date(2025, 8, 31)))
    assert "2026年2月28日（星期六）" in text
    assert "6个月" in text
    assert "调休上班日" in text and "无需顺延" in text
    assert "《中华人民共和国行政诉讼法》第四十六条" in text


@pytest.mark.skipif(_covers(2027), reason="chinese_calendar now has 2027 holiday data")
def test_format_does_not_claim_a_working_day_without_holiday_data() -> None:
    text = format_deadline(compute_deadline(AFTER_REVIEW, date(2027, 3, 1)))
    assert "2027年3月16日（星期二）" in text
    assert "到期日是工作日" not in text
    assert "不是周末" in text and "节假日数据缺失" in text


def test_format_labour_arbitration() -> None:
    text = format_deadline(compute_deadline(LABOUR, date(2024, 1, 29)))
    assert text.startswith("申请劳动仲裁的期限为1年，自知道或者应当知道权利被侵害之日（2024年1月29日）的次日起算。")
    assert "最后一天：2025年2月5日（星期三）" in text
    assert "原到期日2025年1月29日（星期三）是法定休假日" in text
    assert "依据：《中华人民共和国劳动争议调解仲裁法》第二十七条；《中华人民共和国民法典》第二百零一条、第二百零二条、第二百零三条。" in text
    assert "不受1年限制" in text and "仅供参考，不构成法律意见" in text


def test_format_work_injury_on_an_adjusted_working_saturday() -> None:
    text = format_deadline(compute_deadline(INJURY, date(2025, 2, 28)))
    assert "本人或家属申请工伤认定的期限为1年" in text
    assert "最后一天：2026年2月28日（星期六）" in text and "调休上班日" in text
    assert "单位应在30日内申请" in text


@pytest.mark.parametrize("kind", CIVIL_KINDS)
def test_civil_answers_fit_a_phone(kind: str) -> None:
    # A phone screen or two: the result, the basis, the caveats and the disclaimer, nothing more.
    text = format_deadline(compute_deadline(kind, _PLAIN_STARTS[kind]))
    assert len(text) <= 420


def test_format_mentions_missing_holiday_data() -> None:
    text = format_deadline(compute_deadline(AFTER_REVIEW, date(2099, 4, 17)))
    assert "2099年" in text and "节假日" in text
    assert "2099年5月4日（星期一）" in text


# Start days whose period ends on a plain working day in a year with holiday data.
_PLAIN_STARTS = {
    REVIEW: date(2025, 6, 2),
    LITIGATION: date(2025, 6, 2),
    AFTER_REVIEW: date(2025, 6, 2),
    LABOUR: date(2025, 6, 2),
    INJURY: date(2025, 6, 2),
    CIVIL: date(2023, 6, 2),
    ENFORCEMENT: date(2024, 6, 3),
    CONFIRMATION: date(2025, 6, 2),
}


def test_plain_starts_cover_every_kind() -> None:
    assert set(_PLAIN_STARTS) == set(DEADLINE_KINDS)


@pytest.mark.parametrize("kind", sorted(DEADLINE_KINDS))
def test_format_every_kind(kind: str) -> None:
    start = _PLAIN_STARTS[kind]
    d = compute_deadline(kind, start)
    text = format_deadline(d)
    assert f"（{start.year}年{start.month}月{start.day}日）" in text
    assert "到期日是工作日，无需顺延" in text
    assert d.title in text
    assert DEADLINE_KINDS[kind].start_label in text
    assert text.rstrip().endswith("12348公共法律服务热线咨询。")


# --- parse_date --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-08-02",
        "2025-8-2",
        "2025/8/2",
        "2025/08/02",
        "2025.8.2",
        "2025.08.02",
        "2025年8月2日",
        "2025年08月02日",
        "2025年8月2",
        "2025年 8月 2日",
        "  2025-08-02\n",
        "\u30002025年8月2日\u3000",
        "２０２５－０８－０２",
        "２０２５年８月２日",
        "２０２５／８／２",
        "2025 - 08 - 02",
    ],
)
def test_parse_date_accepts(text: str) -> None:
    assert parse_date(text) == date(2025, 8, 2)


def test_parse_date_leap_day() -> None:
    assert parse_date("2024年2月29日") == date(2024, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "昨天",
        "8月2日",
        "2025-08",
        "25-08-02",
        "2025-08-02-01",
        "2025-08/02",
        "2025/08-02",
        "20250802",
        "2025年8月2日下午",
        "二〇二五年八月二日",
        "2025-008-02",
        "abc",
        "2025-0x-02",
    ],
)
def test_parse_date_rejects_other_formats(text: str) -> None:
    with pytest.raises(DateParseError) as error:
        parse_date(text)
    assert "请按 2025-08-02 或 2025年8月2日 的格式输入日期" in str(error.value)


@pytest.mark.parametrize(
    "text", ["2025-02-30", "2025年2月29日", "2025-13-01", "2025/0/10", "2025.4.31", "2025-01-00"]
)
def test_parse_date_rejects_impossible_dates(text: str) -> None:
    with pytest.raises(DateParseError) as error:
        parse_date(text)
    assert isinstance(error.value, ValueError)
    assert "请按 2025-08-02 或 2025年8月2日 的格式输入日期" in str(error.value)


def test_a_bad_date_is_a_user_error() -> None:
    # The CLI prints a UserError as a plain message with exit code 2, never a traceback.
    with pytest.raises(UserError):
        parse_date("2025-02-30")


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "1899年12月31日", "2101-01-01"])
def test_parse_date_rejects_years_no_deadline_can_start_in(text: str) -> None:
    with pytest.raises(DateParseError) as error:
        parse_date(text)
    assert "年份超出可计算的范围" in str(error.value)


@pytest.mark.parametrize("text", ["1900-01-01", "2100-12-31"])
def test_dates_at_the_range_edges_compute(text: str) -> None:
    for kind in DEADLINE_KINDS:
        assert compute_deadline(kind, parse_date(text)).last_day > parse_date(text)


# --- date_in: a date inside a chat message -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-08-02", date(2025, 8, 2)),
        ("2025年8月2日", date(2025, 8, 2)),
        ("我是2025年8月2日收到的", date(2025, 8, 2)),
        ("2025/8/2 收到罚款决定", date(2025, 8, 2)),
        ("２０２５年８月２日", date(2025, 8, 2)),
    ],
)
def test_date_in_finds_the_date_in_a_sentence(text: str, expected: date) -> None:
    assert date_in(text) == expected


@pytest.mark.parametrize(
    "text",
    ["8月2日", "昨天", "20250802", "2025-8", "12025-08-023", "2025-08-02和2025-09-01", "5000"],
)
def test_date_in_rejects_unreadable_date_attempts(text: str) -> None:
    with pytest.raises(DateParseError) as error:
        date_in(text)
    assert "请按 2025-08-02 或 2025年8月2日 的格式输入日期" in str(error.value)


def test_date_in_names_the_impossible_date() -> None:
    with pytest.raises(DateParseError) as error:
        date_in("是2025-02-30收到的")
    assert "日期“2025-02-30”不存在" in str(error.value)


@pytest.mark.parametrize("text", ["", "行政复议怎么申请", "罚款了能复议吗", "我去年被罚了5000元怎么办", "法律援助"])
def test_date_in_leaves_other_questions_alone(text: str) -> None:
    assert date_in(text) is None
