"""The legal-aid pre-check rules: which question comes next, and what the answers mean.

Pure functions over the user's choice codes, so the order of questions, every verdict and its
reasons can be tested without a chat. The law is 《中华人民共和国法律援助法》 (in force 2022-01-01):
matters of Art. 31 (economic hardship and no agent) and Art. 32 (no hardship condition), the
exemptions from the economic check of Art. 42, and the procedure of Art. 38, 41, 43, 44, 49, 53
(see shared/legal-facts.md). A result is a pre-check, never the agency's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from .choices import Choice, Question

LAW = "《中华人民共和国法律援助法》"

# Step codes: m matter, a agent (civil), s assigned-lawyer groups (criminal), d defender (criminal),
# g exempt from the economic check, f finances, u a deadline within 7 days.
MATTER, AGENT, SPECIAL, DEFENDER, GROUP, FINANCES, URGENT = "m", "a", "s", "d", "g", "f", "u"

ART31 = (
    Choice("wage", "讨薪、确认劳动关系"),
    Choice("injury", "工伤赔偿"),
    Choice("accident", "交通/医疗/食品药品事故赔偿"),
    Choice("support", "赡养费、抚养费、扶养费"),
    Choice("welfare", "社保待遇、社会救助、抚恤金"),
    Choice("compensation", "请求国家赔偿"),
    Choice("environment", "环境污染、生态破坏赔偿"),
    Choice("capacity", "认定无/限制民事行为能力"),
)
ART32 = (
    Choice("abuse", "受虐待、遗弃或家庭暴力"),
    Choice("brave", "见义勇为相关权益"),
    Choice("martyr", "英雄烈士近亲属维权"),
    Choice("acquitted", "再审改判无罪后请求国家赔偿"),
)
CRIMINAL = Choice("criminal", "刑事案件辩护")
OTHER = Choice("other", "以上都不是")
# Art. 42 exempts migrant workers only when they claim wages or work-injury damages.
MIGRANT_MATTERS = frozenset({"wage", "injury"})

NONE = Choice("none", "都不是")
VULNERABLE = Choice("vulnerable", "无固定生活来源的未成年人、老年人或残疾人")
ASSISTED = Choice("assisted", "社会救助、司法救助或优抚对象")
MIGRANT = Choice("migrant", "进城务工人员，讨要劳动报酬或工伤赔偿")
_GROUPS = {c.code: c for c in (VULNERABLE, ASSISTED, MIGRANT)}

YES, NO = "yes", "no"
_HAS_LAWYER = (Choice(NO, "还没有"), Choice(YES, "已经委托了"))
POOR, UNSURE, AFFORD = "poor", "unsure", "afford"
# Answers that settle the result at once: someone else already acts, or a lawyer is assigned anyway.
_DECISIVE = frozenset({(AGENT, YES), (SPECIAL, YES), (DEFENDER, YES)})

QUESTIONS = {
    MATTER: Question(
        MATTER,
        "您想为哪类事情申请法律援助？请选最接近的一项：",
        (*ART31[:4], ART32[0], CRIMINAL, *ART31[4:], *ART32[1:], OTHER),
        per_row=1,
    ),
    AGENT: Question(AGENT, "这件事是否已经委托了律师或其他代理人？", _HAS_LAWYER),
    SPECIAL: Question(
        SPECIAL,
        "被追究刑事责任的人（犯罪嫌疑人、被告人）是否属于下列情形之一：\n"
        "未成年人；盲、聋、哑人；可能被判处无期徒刑、死刑的人？",
        (Choice(YES, "是"), Choice(NO, "都不是")),
    ),
    DEFENDER: Question(DEFENDER, "是否已经委托了辩护律师？", _HAS_LAWYER),
    FINANCES: Question(
        FINANCES,
        "需要法律援助的人，经济上请得起律师吗？请如实估计：",
        (Choice(POOR, "请不起，经济困难"), Choice(UNSURE, "说不准"), Choice(AFFORD, "请得起")),
        per_row=1,
    ),
    URGENT: Question(
        URGENT,
        "有没有诉讼时效或其他期限在7日内就要到期？",
        (Choice(YES, "有，不到7天"), Choice(NO, "没有或不清楚")),
    ),
}


class Verdict(str, Enum):
    LIKELY = "很可能符合"
    POSSIBLE = "可能符合"
    UNLIKELY = "可能不符合"


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reason: str


def question_for(step: str, answers: Mapping[str, str]) -> Question:
    """The question for ``step``; the exempt groups offered depend on the matter (Art. 42)."""
    if step != GROUP:
        return QUESTIONS[step]
    migrant = (MIGRANT,) if answers.get(MATTER) in MIGRANT_MATTERS else ()
    return Question(
        GROUP,
        "需要法律援助的人是否属于下列人员？有材料证明的，免予核查经济困难状况：",
        (VULNERABLE, ASSISTED, *migrant, NONE),
        per_row=1,
    )


def next_step(answers: Mapping[str, str]) -> str | None:
    """The step to ask next, or None when the answers are enough for a result."""
    matter = answers.get(MATTER)
    if matter is None:
        return MATTER
    if matter == OTHER.code or _DECISIVE.intersection(answers.items()):
        return None
    if _is(matter, ART32):
        steps: tuple[str, ...] = (URGENT,)
    elif matter == CRIMINAL.code:
        steps = (SPECIAL, DEFENDER, *_economic_steps(answers))
    else:
        steps = (AGENT, *_economic_steps(answers), URGENT)
    return next((step for step in steps if step not in answers), None)


def replay(pairs: Iterable[object]) -> dict[str, str]:
    """Stored ``[step, code]`` pairs as an ordered dict, up to the first that no longer fits.

    Sessions outlive deployments: a pair saved by an older version is dropped, not trusted.
    """
    answers: dict[str, str] = {}
    for pair in pairs:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            break
        step, code = pair
        if step != next_step(answers) or question_for(step, answers).choice(code) is None:
            break
        answers[step] = code
    return answers


def assess(answers: Mapping[str, str]) -> Assessment:
    """The verdict and why, citing the article it rests on."""
    matter = answers[MATTER]
    if matter == OTHER.code:
        return Assessment(
            Verdict.UNLIKELY,
            f"您的事情不在{LAW}第三十一条、第三十二条列明的事项中，也不是刑事辩护。"
            "不过法律、法规、规章还可能规定其他可以申请的情形（第三十一条），是否符合请向法律援助机构或12348确认。",
        )
    label = _label(matter)
    if _is(matter, ART32):
        return Assessment(
            Verdict.LIKELY, f"“{label}”属于{LAW}第三十二条规定的情形，申请法律援助不受经济困难条件的限制。"
        )
    if matter == CRIMINAL.code:
        if answers[SPECIAL] == YES:
            return Assessment(
                Verdict.LIKELY,
                "犯罪嫌疑人、被告人属于未成年人，盲、聋、哑人，或者可能被判处无期徒刑、死刑的人等情形，"
                "没有委托辩护人的，办案机关会通知法律援助机构指派律师，不需要本人申请。",
            )
        if answers[DEFENDER] == YES:
            return Assessment(Verdict.UNLIKELY, "已经委托了辩护律师的，一般不再指派法律援助律师。")
        basis = "犯罪嫌疑人、被告人没有委托辩护人的，本人或近亲属可以申请法律援助。"
        hardship_rule = "申请法律援助要审查经济状况（第四十一条）"
    else:
        if answers[AGENT] == YES:
            return Assessment(
                Verdict.UNLIKELY,
                f"{LAW}第三十一条规定的是因经济困难没有委托代理人的情形；这件事已经委托了律师或代理人，一般不符合。",
            )
        basis = f"“{label}”属于{LAW}第三十一条列明的事项，也还没有委托代理人。"
        hardship_rule = "这类法律援助以经济困难为条件（第三十一条）"
    return _economic(answers, basis, hardship_rule)


def result_text(answers: Mapping[str, str]) -> str:
    """The whole answer: verdict, why, what to bring, where, how long, objections, next steps."""
    assessment = assess(answers)
    matter = answers[MATTER]
    criminal = matter == CRIMINAL.code
    parts = [f"【法律援助自测结果：{assessment.verdict.value}条件】"]
    if answers.get(URGENT) == YES:
        parts.append(
            "⚠️ 您说有期限不到7天就要到期：请尽快（最好今天）到法律援助机构当面说明。这种情况法律援助机构可以"
            "先行提供法律援助，之后再补办手续、补充材料（第四十四条）。"
        )
    parts.append("为什么：" + assessment.reason)
    if criminal:
        parts.append(
            "刑事案件提示：未成年人，盲、聋、哑人，可能被判处无期徒刑、死刑的人等没有委托辩护人的，"
            "办案机关会通知法律援助机构指派律师，不用自己申请；其他情况下，本人或近亲属可以申请。"
        )
    parts.append(
        "要带什么：\n• 申请人的身份证件；\n"
        "• 与这件事有关的材料，如合同、工资条、欠条、病历、事故认定书、通知书、起诉书或判决书等；"
        "材料不全的，法律援助机构会一次性告诉您补什么（第四十三条）；\n• " + _economic_proof(answers)
    )
    parts.append("到哪里申请：" + _where(criminal))
    timing = [
        "多长时间：法律援助机构收到申请后7日内决定是否给予法律援助，决定给予的，3日内指派律师；"
        "不给予的，书面告知理由（第四十三条）。"
    ]
    if answers.get(URGENT) != YES:
        timing.append("距诉讼时效等期限届满不足7日等紧急情况，可以先行提供法律援助（第四十四条）。")
    if not criminal:
        timing.append("获得法律援助后打官司的，人民法院会根据情况缓收、减收或免收诉讼费（第五十三条）。")
    parts.append("\n".join(timing))
    parts.append(
        "不服怎么办：对不给予法律援助的决定有异议的，可以向设立该法律援助机构的司法行政部门提出，"
        "司法行政部门收到后5日内审查并作出决定（第四十九条）。"
    )
    parts.append("下一步：" + _NEXT_STEPS[assessment.verdict])
    parts.append(
        f"以上条文均出自{LAW}。这是根据您的回答作的初步自测，不是法律援助机构的决定，最终以法律援助机构审查为准。"
    )
    return "\n\n".join(parts)


_NEXT_STEPS = {
    Verdict.LIKELY: "带上上面的材料，尽快到法律援助机构申请；也可以先拨打12348公共法律服务热线咨询。",
    Verdict.POSSIBLE: "可以先拨打12348公共法律服务热线问清楚，或者直接带材料去申请，由法律援助机构审查决定。",
    Verdict.UNLIKELY: "可以拨打12348公共法律服务热线咨询，了解调解、法律咨询等其他办法；"
    "如果仍想申请，也可以向法律援助机构提出，由机构审查决定。",
}


def _economic(answers: Mapping[str, str], basis: str, hardship_rule: str) -> Assessment:
    group = _GROUPS.get(answers[GROUP])
    if group:
        return Assessment(
            Verdict.LIKELY, f"{basis}需要法律援助的人属于“{group.label}”，有材料证明的，免予核查经济困难状况（第四十二条）。"
        )
    checked = "是否属于经济困难，由法律援助机构通过信息共享核查，或根据个人诚信承诺认定（第四十一条）。"
    finances = answers[FINANCES]
    if finances == POOR:
        return Assessment(Verdict.LIKELY, f"{basis}您表示经济困难；{checked}")
    if finances == UNSURE:
        return Assessment(Verdict.POSSIBLE, f"{basis}{checked}说不准的，可以先申请或拨打12348咨询。")
    return Assessment(Verdict.UNLIKELY, f"{basis}但{hardship_rule}，您表示请得起律师，一般不符合。")


def _economic_proof(answers: Mapping[str, str]) -> str:
    if _is(answers[MATTER], ART32):
        return "不需要说明经济状况（第三十二条）。"
    if answers.get(GROUP, NONE.code) != NONE.code:
        return "证明属于上述人员的材料，凭此免予核查经济状况（第四十二条）。"
    return "不需要开“经济困难证明”：如实说明经济状况即可，法律援助机构通过信息共享核查，或由您作个人诚信承诺（第四十一条）。"


def _where(criminal: bool) -> str:
    if criminal:
        return "向办案机关（公安机关、人民检察院或人民法院）所在地的法律援助机构申请（第三十八条）。"
    return (
        "已经或准备打官司的，向办案机关（如人民法院）所在地的法律援助机构申请；不打官司的，"
        "向处理纠纷的机关所在地或事情发生地的法律援助机构申请（第三十八条）。"
    )


def _economic_steps(answers: Mapping[str, str]) -> tuple[str, ...]:
    """Finances are asked only when no Art. 42 group already exempts the person from the check."""
    return (GROUP, FINANCES) if answers.get(GROUP, NONE.code) == NONE.code else (GROUP,)


def _is(code: str, matters: tuple[Choice, ...]) -> bool:
    return any(c.code == code for c in matters)


def _label(code: str) -> str:
    choice = QUESTIONS[MATTER].choice(code)
    return choice.label if choice else code
