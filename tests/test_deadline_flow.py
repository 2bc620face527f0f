"""`/deadline` as a resident uses it, through the Responder every channel calls."""

import json

import pytest

from bot.core.reply import Reply, ReplyKind
from bot.core.responder import FLOW_STOPPED, Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.flows.deadline import DEADLINE_KINDS
from bot.flows.deadline_flow import GUIDANCE

FORMAT = "请按 2025-08-02 或 2025年8月2日 的格式输入日期"


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def labels(reply: Reply) -> list[str]:
    return [b.label for b in reply.flat_buttons]


def press_label(responder: Responder, reply: Reply, label: str, session: Session) -> Reply:
    action = next(b.action for b in reply.flat_buttons if b.label == label)
    assert len(action.encode()) <= 64  # Telegram's callback-data limit
    return responder.press(action, session)


def assert_answer(
    reply: Reply, last_day: str, intent: str = "administrative_review", guidance: str = "行政复议怎么申请"
) -> None:
    assert reply.kind is ReplyKind.ANSWER and reply.wants_feedback  # logged and rated like guidance
    assert f"最后一天：{last_day}" in reply.text
    assert "依据：" in reply.text and "不构成法律意见" in reply.text
    assert reply.intent == intent
    assert {"再算一个", guidance} <= set(labels(reply))


def test_command_with_a_date_answers_administrative_review_at_once(responder):
    session = Session()
    reply = responder.command("deadline", "2025-08-02", session)
    assert_answer(reply, "2025年10月9日（星期四）")
    assert "申请行政复议的期限为60日" in reply.text
    assert "顺延" in reply.text and "《中华人民共和国行政复议法》第二十条" in reply.text
    assert session.flow is None  # answered: the next message is a new question


def test_chinese_date_in_the_command(responder):
    assert_answer(responder.command("deadline", "2025年8月2日", Session()), "2025年10月9日")


def test_command_with_something_else_explains_the_format_and_asks_which(responder):
    session = Session()
    reply = responder.command("deadline", "foo", session)
    assert "无法识别日期“foo”" in reply.text and FORMAT in reply.text
    assert "申请行政复议（60日）" in labels(reply)
    assert session.flow == "deadline"


def test_asks_which_deadline_then_the_date(responder):
    session = Session()
    first = responder.command("deadline", "", session)
    assert labels(first) == [
        "申请行政复议（60日）",
        "直接提起行政诉讼（6个月）",
        "经行政复议后提起行政诉讼（15日）",
        "申请劳动仲裁（1年）",
        "本人或家属申请工伤认定（1年）",
        "民事诉讼时效（3年）",
        "申请强制执行（2年）",
        "申请司法确认调解协议（30日）",
        "退出",
    ]
    asked = press_label(responder, first, "经行政复议后提起行政诉讼（15日）", session)
    assert "收到行政复议决定书之日" in asked.text and "2025年8月2日" in asked.text
    assert labels(asked) == ["返回上一步", "退出"]
    # Spring Festival 2026: 2-16 is a holiday, the first working day after it is 2-24.
    reply = responder.respond("2026年2月1日", session)
    assert_answer(reply, "2026年2月24日（星期二）")
    assert "《中华人民共和国行政诉讼法》第四十五条" in reply.text


def test_six_month_period_by_typed_labels(responder):
    session = Session()
    responder.command("deadline", "", session)
    asked = responder.respond("直接提起行政诉讼（6个月）", session)
    assert "知道或者应当知道作出行政行为之日" in asked.text
    assert_answer(responder.respond("我是2025年8月31日知道的", session), "2026年2月28日（星期六）")


def test_unreadable_date_is_asked_again_politely(responder):
    session = Session()
    responder.command("deadline", "", session)
    responder.press("flow:deadline:k:administrative-review", session)
    for typed in ("8月2日", "昨天", "2025-02-30"):
        reply = responder.respond(typed, session)
        assert FORMAT in reply.text and "知道或者应当知道行政行为之日" in reply.text
        assert session.flow == "deadline"
    assert_answer(responder.respond("2025-08-02", session), "2025年10月9日")


def test_a_new_question_leaves_the_flow_and_is_answered(responder):
    session = Session()
    responder.command("deadline", "", session)
    responder.press("flow:deadline:k:administrative-review", session)
    reply = responder.respond("离婚了孩子抚养费怎么要，请不起律师", session)
    assert session.flow is None
    assert reply.kind is not ReplyKind.FLOW


def test_a_date_at_the_first_question_means_administrative_review(responder):
    session = Session()
    responder.command("deadline", "", session)
    assert_answer(responder.respond("2025-08-02", session), "2025年10月9日")


def test_back_returns_to_the_choice_of_deadline(responder):
    session = Session()
    first = responder.command("deadline", "", session)
    asked = press_label(responder, first, "申请行政复议（60日）", session)
    again = press_label(responder, asked, "返回上一步", session)
    assert again.text == first.text and labels(again) == labels(first)
    asked = press_label(responder, again, "直接提起行政诉讼（6个月）", session)
    assert_answer(responder.respond("2025-04-01", session), "2025年10月9日")


def test_stop_button_and_stop_word_end_the_flow(responder):
    session = Session()
    first = responder.command("deadline", "", session)
    assert press_label(responder, first, "退出", session).text == FLOW_STOPPED
    assert session.flow is None
    responder.command("deadline", "", session)
    assert responder.respond("退出", session).text == FLOW_STOPPED


def test_an_unknown_button_asks_the_current_question_again(responder):
    session = Session()
    responder.command("deadline", "", session)
    responder.press("flow:deadline:k:administrative-review", session)
    reply = responder.press("flow:deadline:k:appeal", session)
    assert "这个按钮已经过期" in reply.text and "知道或者应当知道行政行为之日" in reply.text
    assert session.state == {"kind": "administrative-review"}


def test_again_button_restarts_the_calculator(responder):
    session = Session()
    answer = responder.command("deadline", "2025-08-02", session)
    again = press_label(responder, answer, "再算一个", session)
    assert "您要计算哪个期限" in again.text and session.flow == "deadline"


def test_answer_offers_the_review_guidance(responder):
    session = Session()
    answer = responder.command("deadline", "2025-08-02", session)
    guidance = press_label(responder, answer, "行政复议怎么申请", session)
    assert guidance.intent == "administrative_review" and guidance.kind is ReplyKind.ANSWER


def test_the_review_guidance_offers_the_calculator(responder):
    guidance = responder.press("intent:administrative_review", Session())
    session = Session()
    first = press_label(responder, guidance, "期限计算", session)
    assert "您要计算哪个期限" in first.text and session.flow == "deadline"


def test_year_without_holiday_data_says_so(responder):
    reply = responder.command("deadline", "2026-12-01", Session())
    assert "暂无2027年的节假日安排数据" in reply.text


def test_abandoned_calculator_expires(responder):
    session = Session()
    responder.command("deadline", "", session, now=1000.0)
    responder.press("flow:deadline:k:administrative-review", session, now=1010.0)
    reply = responder.respond("2025-08-02", session, now=1010.0 + 24 * 3600)
    assert session.flow is None
    assert "最后一天" not in reply.text


def test_state_is_plain_json_between_messages(responder):
    """A session stored in a database between messages works the same."""
    session = Session()
    responder.command("deadline", "", session)
    responder.press("flow:deadline:k:litigation-after-review", session)
    assert session.state == {"kind": "litigation-after-review"}
    stored = Session.from_dict(json.loads(json.dumps(session.to_dict())))
    assert_answer(responder.respond("2025-08-02", stored), "2025年8月18日（星期一）")


# --- the civil-law periods ------------------------------------------------------------------

# The action other answers use to open the calculator on one period (documented in deadline_flow).
LABOUR_ACTION = "flow:deadline:k:labour-arbitration"


@pytest.mark.parametrize(
    ("label", "asked_for", "typed", "last_day", "intent", "guidance"),
    [
        ("申请劳动仲裁（1年）", "知道或者应当知道权利被侵害之日", "2024-01-29",
         "2025年2月5日（星期三）", "labour_dispute", "劳动争议怎么办"),
        ("本人或家属申请工伤认定（1年）", "事故伤害发生之日", "我是2025年2月17日受伤的",
         "2026年2月24日（星期二）", "work_injury", "工伤怎么办"),
        ("民事诉讼时效（3年）", "知道或者应当知道权利受到损害以及义务人之日", "2022年10月5日",
         "2025年10月9日（星期四）", "legal_consultation", "法律咨询"),
        ("申请强制执行（2年）", "法律文书生效之日", "2024/2/29",
         "2026年2月28日（星期六）", "legal_consultation", "法律咨询"),
        ("申请司法确认调解协议（30日）", "人民调解协议生效之日", "2026-09-02",
         "2026年10月8日（星期四）", "mediation", "人民调解怎么申请"),
    ],
)
def test_each_civil_period_by_its_button(responder, label, asked_for, typed, last_day, intent, guidance):
    session = Session()
    asked = press_label(responder, responder.command("deadline", "", session), label, session)
    assert asked_for in asked.text and labels(asked) == ["返回上一步", "退出"]
    reply = responder.respond(typed, session)
    assert_answer(reply, last_day, intent, guidance)
    assert "起算日拿不准" in reply.text and session.flow is None


def test_the_documented_action_is_the_labour_arbitration_button(responder):
    first = responder.command("deadline", "", Session())
    button = next(b for b in first.flat_buttons if b.label == "申请劳动仲裁（1年）")
    assert str(button.action) == LABOUR_ACTION


def test_a_button_from_another_answer_asks_for_the_date_at_once(responder):
    session = Session()  # no flow running, e.g. a topic answer's "算一算仲裁时效"
    asked = responder.press(LABOUR_ACTION, session)
    assert "申请劳动仲裁（1年）" in asked.text and "知道或者应当知道权利被侵害之日" in asked.text
    assert session.flow == "deadline" and session.state == {"kind": "labour-arbitration"}
    reply = responder.respond("2025年1月1日", session)
    # New Year 2026 (1-1 … 1-3) rolls to Sunday 1-4, an adjusted working day.
    assert_answer(reply, "2026年1月4日（星期日）", "labour_dispute", "劳动争议怎么办")
    assert "拖欠工资" in reply.text and "不受1年限制" in reply.text


def test_the_same_button_switches_period_inside_the_flow(responder):
    session = Session()
    responder.command("deadline", "", session)
    responder.press("flow:deadline:k:administrative-review", session)
    asked = responder.press(LABOUR_ACTION, session)
    assert "知道或者应当知道权利被侵害之日" in asked.text
    assert session.state == {"kind": "labour-arbitration"}


def test_back_from_a_period_opened_elsewhere_shows_every_period(responder):
    session = Session()
    asked = responder.press(LABOUR_ACTION, session)
    back = press_label(responder, asked, "返回上一步", session)
    assert "您要计算哪个期限" in back.text and "申请司法确认调解协议（30日）" in labels(back)


def test_mediation_result_offers_the_mediation_guidance(responder):
    session = Session()
    responder.press("flow:deadline:k:judicial-confirmation", session)
    answer = responder.respond("2025-08-29", session)
    assert_answer(answer, "2025年9月28日（星期日）", "mediation", "人民调解怎么申请")  # a 调休 Sunday
    guidance = press_label(responder, answer, "人民调解怎么申请", session)
    assert guidance.intent == "mediation" and guidance.kind is ReplyKind.ANSWER


def test_every_period_has_guidance():
    assert set(GUIDANCE) == set(DEADLINE_KINDS)
