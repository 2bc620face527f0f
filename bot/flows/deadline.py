"""Statutory deadline calculator: administrative review and litigation, and the civil-law periods
residents ask about (labour arbitration, work-injury recognition, civil limitation, enforcement,
judicial confirmation of a mediation agreement).

People ask "until when can I still apply?"; a wrong day loses them the right, so the counting
follows the statutes exactly. Administrative periods count by 民事诉讼法第八十五条 (applied to
review by 行政复议法第八十八条); the civil-law periods by 民法典第二百零一条至第二百零三条. Both
rules agree: the start day is not counted, a period in months or years ends on the corresponding
day (the month's last day when there is none), and a last day on a statutory rest day moves to the
first working day after it. Rest days come from ``chinese_calendar``, so China's adjusted working
days (调休) count as working days. Pure: no I/O, the caller supplies the start date.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

import chinese_calendar

from ..core.compose import cite
from ..errors import UserError

_REVIEW_LAW = "《中华人民共和国行政复议法》"
_LITIGATION_LAW = "《中华人民共和国行政诉讼法》"
_CIVIL_PROCEDURE_LAW = "《中华人民共和国民事诉讼法》"
_CIVIL_CODE = "《中华人民共和国民法典》"
_LABOUR_ARBITRATION_LAW = "《中华人民共和国劳动争议调解仲裁法》"
_WORK_INJURY_RULES = "《工伤保险条例》"
_MEDIATION_LAW = "《中华人民共和国人民调解法》"
_COUNTING = f"{_CIVIL_PROCEDURE_LAW}第八十五条"
# 民法典 Art. 201 (start day not counted) and 203 (rest-day roll-over) for every civil-law period;
# Art. 202 (corresponding day, else month end) where the period is in months or years.
_CIVIL_COUNTING_DAYS = (f"{_CIVIL_CODE}第二百零一条", f"{_CIVIL_CODE}第二百零三条")
_CIVIL_COUNTING_YEARS = (f"{_CIVIL_CODE}第二百零一条", f"{_CIVIL_CODE}第二百零二条", f"{_CIVIL_CODE}第二百零三条")
MONTHS_PER_YEAR = 12

_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

_DISCLAIMER = (
    "以上仅供参考，不构成法律意见；具体以办案机关认定为准。"
    "如有疑问，可拨打12348公共法律服务热线咨询。"
)
# Every civil-law period: people rarely know their start day for sure.
_ACT_EARLY = "起算日拿不准的，按最早的可能日期算，尽早行动。"


@dataclass(frozen=True)
class DeadlineRule:
    """One statutory period: exactly one of ``days`` or ``months`` is set."""

    kind: str
    title: str
    start_label: str
    basis: tuple[str, ...]
    notes: tuple[str, ...]
    days: int | None = None
    months: int | None = None

    def __post_init__(self) -> None:
        if (self.days is None) == (self.months is None):
            raise ValueError(f"rule {self.kind!r} needs exactly one of days or months")

    @property
    def period(self) -> str:
        """The period as the statute words it: 60日, 6个月, 1年 (a year is 12 months, 民法典第二百零二条)."""
        if self.days is not None:
            return f"{self.days}日"
        months = self.months or 0
        return f"{months // MONTHS_PER_YEAR}年" if months % MONTHS_PER_YEAR == 0 else f"{months}个月"


@dataclass(frozen=True)
class Deadline:
    """A computed period; ``rolled_over_from`` keeps the raw last day when it was moved."""

    kind: str
    title: str
    start: date
    days: int | None
    months: int | None
    raw_last_day: date
    last_day: date
    rolled_over_from: date | None
    basis: tuple[str, ...]
    notes: tuple[str, ...]
    holiday_data_missing: bool

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view for the CLI and logs."""
        return {
            "kind": self.kind,
            "title": self.title,
            "start": self.start.isoformat(),
            "days": self.days,
            "months": self.months,
            "last_day": self.last_day.isoformat(),
            "rolled_over_from": (
                self.rolled_over_from.isoformat() if self.rolled_over_from else None
            ),
            "basis": list(self.basis),
            "note": "".join(self.notes),
            "holiday_data_missing": self.holiday_data_missing,
        }


class UnknownDeadlineKind(ValueError):
    """Raised for a kind not in ``DEADLINE_KINDS``."""


class DateParseError(UserError, ValueError):
    """Raised when user text is not a real date in a supported format (the message says which)."""


def _civil_rule(
    kind: str, title: str, start_label: str, basis: tuple[str, ...], notes: tuple[str, ...],
    *, days: int | None = None, months: int | None = None,
) -> DeadlineRule:
    """A civil-law period: counted by 民法典 Art. 201 and 203 (and 202 for months and years), and
    every one ends with `_ACT_EARLY`, so no rule can forget either."""
    counting = _CIVIL_COUNTING_DAYS if months is None else _CIVIL_COUNTING_YEARS
    return DeadlineRule(
        kind=kind, title=title, start_label=start_label, basis=(*basis, *counting), notes=(*notes, _ACT_EARLY),
        days=days, months=months,
    )


_RULES = (
    DeadlineRule(
        kind="administrative-review",
        title="申请行政复议",
        start_label="知道或者应当知道行政行为之日",
        days=60,
        basis=(
            f"{_REVIEW_LAW}第二十条",
            f"{_REVIEW_LAW}第八十八条",
            _COUNTING,
        ),
        notes=(
            "法律规定的申请期限超过60日的，按法律规定（《行政复议法》第二十条）。",
            "行政机关作出行政行为时未告知申请行政复议的权利、复议机关和申请期限的，"
            "申请期限自知道或者应当知道这些内容之日起计算，但自知道或者应当知道行政行为内容之日起"
            "最长不得超过1年（《行政复议法》第二十条）。",
            "自行政行为作出之日起，因不动产申请超过20年、其他申请超过5年的，"
            "行政复议机关不予受理（《行政复议法》第二十一条）。",
        ),
    ),
    DeadlineRule(
        kind="administrative-litigation",
        title="直接提起行政诉讼",
        start_label="知道或者应当知道作出行政行为之日",
        months=6,
        basis=(f"{_LITIGATION_LAW}第四十六条", _COUNTING),
        notes=(
            "自行政行为作出之日起，因不动产起诉超过20年、其他案件起诉超过5年的，"
            "人民法院不予受理（《行政诉讼法》第四十六条）。",
            "属于必须先申请行政复议的情形（如对当场作出的行政处罚决定不服、"
            "申请政府信息公开而行政机关不予公开等，见《行政复议法》第二十三条）的，"
            "应先申请行政复议，不能直接起诉。",
        ),
    ),
    DeadlineRule(
        kind="litigation-after-review",
        title="经行政复议后提起行政诉讼",
        start_label="收到行政复议决定书之日",
        days=15,
        basis=(f"{_LITIGATION_LAW}第四十五条", _COUNTING),
        notes=(
            "复议机关逾期不作决定的，可以自复议期满之日起15日内起诉（《行政诉讼法》第四十五条）；"
            "复议期限一般为受理之日起60日，最多可延长30日（《行政复议法》第六十二条）。",
        ),
    ),
    _civil_rule(
        kind="labour-arbitration",
        title="申请劳动仲裁",
        start_label="知道或者应当知道权利被侵害之日",
        months=MONTHS_PER_YEAR,
        basis=(f"{_LABOUR_ARBITRATION_LAW}第二十七条",),
        notes=(
            "拖欠工资：在职期间申请仲裁不受1年限制；劳动关系终止的，自终止之日起1年内申请，"
            "可用终止之日再算一次（《劳动争议调解仲裁法》第二十七条）。",
            "向对方讨要、向劳动监察（12333）等部门求助或对方同意履行的，时效中断，"
            "从中断时起重新计算1年（第二十七条）。讨要要留证据。",
        ),
    ),
    _civil_rule(
        kind="work-injury",
        title="本人或家属申请工伤认定",
        start_label="事故伤害发生之日或者被诊断、鉴定为职业病之日",
        months=MONTHS_PER_YEAR,
        basis=(f"{_WORK_INJURY_RULES}第十七条",),
        notes=(
            "单位应在30日内申请；单位没申请的，本人、近亲属或工会可在1年内直接向用人单位所在地的"
            "社会保险行政部门申请（《工伤保险条例》第十七条）。",
            "单位超过30日没申请的，这期间的工伤待遇等费用由单位负担（第十七条）。",
        ),
    ),
    _civil_rule(
        kind="civil-limitation",
        title="民事诉讼时效",
        start_label="知道或者应当知道权利受到损害以及义务人之日",
        months=3 * MONTHS_PER_YEAR,
        basis=(
            f"{_CIVIL_CODE}第一百八十八条",
            f"{_CIVIL_CODE}第一百九十五条",
            f"{_CIVIL_CODE}第一百九十六条",
        ),
        notes=(
            "向对方催讨、对方同意履行、起诉或申请仲裁的，时效中断，从中断时起重新计算"
            "（《民法典》第一百九十五条）。催讨要留证据。",
            "抚养费、赡养费、扶养费不受诉讼时效限制（第一百九十六条）。",
            "权利受到损害超过20年的，法院不予保护（第一百八十八条）。",
            "“诉讼时效2年”是旧法的规定，现在是3年。",
        ),
    ),
    _civil_rule(
        kind="enforcement",
        title="申请强制执行",
        start_label="法律文书生效之日",
        months=2 * MONTHS_PER_YEAR,
        basis=(f"{_CIVIL_PROCEDURE_LAW}第二百五十条",),
        notes=(
            "判决书等写明了履行期限的，从期限最后一日起算，分期履行的从最后一期届满之日起算，"
            "请用那一天再算一次（《民事诉讼法》第二百五十条）。",
            "时效的中止、中断适用诉讼时效的规定，催讨、对方同意履行等会使时效中断"
            "（第二百五十条；《民法典》第一百九十五条）。",
        ),
    ),
    _civil_rule(
        kind="judicial-confirmation",
        title="申请司法确认调解协议",
        start_label="人民调解协议生效之日",
        days=30,
        basis=(
            f"{_MEDIATION_LAW}第三十三条",
            f"{_CIVIL_PROCEDURE_LAW}第二百零五条",
        ),
        notes=(
            "须双方共同向法院申请；确认后对方不履行的，可以申请强制执行（《人民调解法》第三十三条）。",
            "不申请确认，调解协议也有法律约束力，双方应当履行（第三十一条）。",
        ),
    ),
)

DEADLINE_KINDS: Mapping[str, DeadlineRule] = MappingProxyType({r.kind: r for r in _RULES})


def compute_deadline(kind: str, start: date) -> Deadline:
    """Last day of the ``kind`` period that starts on ``start`` (the start day not counted)."""
    rule = DEADLINE_KINDS.get(kind)
    if rule is None:
        known = "、".join(DEADLINE_KINDS)
        raise UnknownDeadlineKind(
            f"未知的期限类型：{kind}；可选：{known} / "
            f"unknown deadline kind {kind!r}; known kinds: {', '.join(DEADLINE_KINDS)}"
        )
    if rule.months is not None:
        raw = _add_months(start, rule.months)
    else:
        raw = start + timedelta(days=rule.days or 0)
    last, missing_years = _first_working_day(raw)
    notes = rule.notes + tuple(_missing_data_note(year) for year in missing_years)
    return Deadline(
        kind=rule.kind,
        title=rule.title,
        start=start,
        days=rule.days,
        months=rule.months,
        raw_last_day=raw,
        last_day=last,
        rolled_over_from=raw if last != raw else None,
        basis=rule.basis,
        notes=notes,
        holiday_data_missing=bool(missing_years),
    )


def format_deadline(d: Deadline) -> str:
    """Short Simplified-Chinese answer for the user."""
    rule = DEADLINE_KINDS[d.kind]
    lines = [
        f"{d.title}的期限为{rule.period}，自{rule.start_label}（{_cn_date(d.start)}）的次日起算。",
        f"最后一天：{_cn_date(d.last_day)}（{_WEEKDAYS[d.last_day.weekday()]}）。",
    ]
    if d.rolled_over_from is not None:
        raw = d.rolled_over_from
        lines.append(
            f"原到期日{_cn_date(raw)}（{_WEEKDAYS[raw.weekday()]}）是法定休假日（周末或节假日），"
            "依法顺延至其后的第一个工作日。"
        )
    elif d.last_day.weekday() >= 5:
        lines.append("到期日是调休上班日，按工作日计算，无需顺延。")
    elif d.holiday_data_missing:
        lines.append("到期日不是周末，暂按无需顺延计算（节假日数据缺失，见下方注意）。")
    else:
        lines.append("到期日是工作日，无需顺延。")
    lines.append("依据：" + cite(d.basis) + "。")
    lines.append("注意：")
    lines.extend(f"· {note}" for note in d.notes)
    lines.append(_DISCLAIMER)
    return "\n".join(lines)


# The digit look-arounds only matter when searching a sentence: no date inside 12025-08-023.
_DATE_PATTERN = re.compile(
    r"(?<![0-9])([0-9]{4})\s*(?:([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})(?![0-9])"
    r"|年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})(?![0-9])\s*日?)"
)
_FORMAT_HINT = "请按 2025-08-02 或 2025年8月2日 的格式输入日期"
# Years a start day can sensibly have; also keeps the arithmetic far from date.max.
MIN_YEAR, MAX_YEAR = 1900, 2100
# What is left of a date attempt once digits, separators and 年月日号 are removed ("下午").
_DATE_CHARS = re.compile(r"[0-9\s年月日号/.\-]")
_MAX_NON_DATE_CHARS = 2
_RELATIVE_DAYS = frozenset({"今天", "昨天", "前天", "大前天"})


def parse_date(text: str) -> date:
    """Read a date as users type it: 2025-08-02, 2025/8/2, 2025.8.2 or 2025年8月2日."""
    match = _DATE_PATTERN.fullmatch(_fold(text))
    if match is None:
        raise DateParseError(f"无法识别日期“{text.strip()}”，{_FORMAT_HINT}")
    return _to_date(match)


def date_in(text: str) -> date | None:
    """The date a chat message gives, or None when the message is about something else.

    Lenient where ``parse_date`` is strict, because people answer in sentences: 我是2025年8月2日收到的
    gives 2025-08-02. An attempt at a date that cannot be read (8月2日, 昨天, 2025-02-30, two dates)
    raises DateParseError so the flow can re-ask; a new question (罚款怎么复议) gives None.
    """
    folded = _fold(text)
    found = list(_DATE_PATTERN.finditer(folded))
    if len(found) == 1:
        return _to_date(found[0])
    if found or _looks_like_date(folded):
        raise DateParseError(f"无法识别日期“{text.strip()}”，{_FORMAT_HINT}")
    return None


def _fold(text: str) -> str:
    # NFKC folds full-width digits and separators (２０２５－８－２) to ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def _to_date(match: re.Match[str]) -> date:
    year, _, month, day, cn_month, cn_day = match.groups()
    shown = match.group(0)
    try:
        parsed = date(int(year), int(month or cn_month), int(day or cn_day))
    except ValueError:
        raise DateParseError(f"日期“{shown}”不存在，{_FORMAT_HINT}") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise DateParseError(
            f"日期“{shown}”的年份超出可计算的范围（{MIN_YEAR}—{MAX_YEAR}年），请检查年份"
        )
    return parsed


def _looks_like_date(folded: str) -> bool:
    if folded in _RELATIVE_DAYS:
        return True
    if not any(ch.isdigit() for ch in folded):
        return False
    return len(_DATE_CHARS.sub("", folded)) <= _MAX_NON_DATE_CHARS


def _add_months(start: date, months: int) -> date:
    """Same day-of-month ``months`` later, clamped to the month's last day (08-31 → 02-28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _first_working_day(day: date) -> tuple[date, tuple[int, ...]]:
    """First working day on or after ``day``, plus the years checked without holiday data."""
    missing: list[int] = []
    while True:
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            working = day.weekday() < 5
            if day.year not in missing:
                missing.append(day.year)
        if working:
            return day, tuple(missing)
        day += timedelta(days=1)


def _missing_data_note(year: int) -> str:
    return (
        f"暂无{year}年的节假日安排数据：本结果只避开了周末，未考虑节假日和调休，日期可能有出入，"
        "请以国务院公布的放假安排为准并向办案机关核实。"
    )


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
