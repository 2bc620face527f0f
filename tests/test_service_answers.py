"""The service answers as a resident reads them: a phone-sized first message with the step that
matters, the rest one tap away — and the sentences the legal audit of issue 13 corrected.

Every check goes through `Responder.respond` / `press` and the section buttons, never the YAML,
so a correction that does not reach the screen fails here. The phrasings are fresh (not in the
intent files)."""

from __future__ import annotations

import pytest

from bot.core.reply import Reply, ReplyKind
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows

SUMMARY_MAX = 300
SERVICES = (
    "legal_aid",
    "mediation",
    "administrative_review",
    "notarization",
    "legal_consultation",
    "enforcement_complaint",
    "business_legal_services",
    "government_services",
    "legal_education",
)


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def ask(responder: Responder, text: str) -> Reply:
    return responder.respond(text, Session())


def section(responder: Responder, reply: Reply, title: str) -> str:
    """What one tap on the button titled ``title`` under ``reply`` shows."""
    labels = [b.label for b in reply.flat_buttons]
    button = next((b for b in reply.flat_buttons if b.label == title), None)
    assert button is not None, f"no button {title!r} under the answer: {labels}"
    opened = responder.press(button.action, Session())
    assert opened.kind is ReplyKind.SECTION
    return opened.text


def everything(responder: Responder, reply: Reply) -> str:
    """The first message and every section behind it: all a resident can read of the answer."""
    sections = [responder.press(b.action, Session()) for b in reply.flat_buttons if str(b.action).startswith("sec:")]
    return "\n".join([reply.text] + [s.text for s in sections])


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("intent_id", SERVICES)
def test_each_service_opens_with_a_phone_sized_message_and_its_sections_one_tap_away(responder, intent_id):
    reply = responder.press(f"intent:{intent_id}", Session())
    assert reply.kind is ReplyKind.ANSWER and len(reply.text) <= SUMMARY_MAX
    assert "12348" in reply.text or "12345" in reply.text, "a hotline in the first message"
    titles = [b.label for b in reply.flat_buttons if str(b.action).startswith("sec:")]
    assert len(titles) >= 3 and len(set(titles)) == len(titles)
    for title in titles:
        opened = responder.press(next(b.action for b in reply.flat_buttons if b.label == title), Session())
        back = next(b for b in opened.flat_buttons if "返回" in b.label)
        assert responder.press(back.action, Session()).text == reply.text


def test_notarization_of_a_house_will_or_gift_can_be_done_where_the_person_lives(responder):
    # 公证法第二十五条第二款: only inheritance-type matters must go where the house is.
    reply = ask(responder, "我人在深圳，要委托亲戚卖掉万州的老房子，委托书公证必须回万州办吗")
    assert reply.intent == "notarization"
    assert "涉及房屋的委托、声明、赠与、遗嘱公证，也可以在住所地办" in reply.text
    place = section(responder, reply, "办理地点")
    assert "申请办理涉及不动产的委托、声明、赠与、遗嘱的公证，也可以适用上一条" in place
    assert "万州的房子办继承公证，向万州的公证机构申请" in place
    assert "公证法" in place and "第二十五条" in place


def test_notarization_says_a_will_need_not_be_notarised_and_the_latest_will_prevails(responder):
    reply = ask(responder, "遗嘱是不是必须去公证处公证才算数")
    assert reply.intent in ("notarization", "inheritance")
    will = section(responder, responder.press("intent:notarization", Session()), "立遗嘱")
    assert "遗嘱不一定要公证" in will
    assert "立有数份遗嘱，内容相抵触的，以最后的遗嘱为准，公证遗嘱不再优先（《民法典》第一千一百四十二条）" in will
    assert "第一千一百四十二条" in section(responder, responder.press("intent:notarization", Session()), "法律依据")


def test_government_services_says_only_what_the_report_says_and_points_to_12345(responder):
    reply = ask(responder, "听说万达开云能通办，我开州的事在万州窗口能办哪些")
    assert reply.intent == "government_services"
    assert "399项政务服务事项实现万达开云（万州、达州、开州、云阳）四地通办" in reply.text
    assert "请先拨打 12345 政务服务便民热线问清" in reply.text
    text = everything(responder, reply)
    for unsupported in ("川渝两地部分政务服务事项跨省通办", "上海与重庆之间远程办理", "面向园区企业"):
        assert unsupported not in text


def test_business_services_make_no_12348_booking_claim_for_the_check_up(responder):
    reply = ask(responder, "我们民营企业想做法治体检，打哪个电话预约")
    assert reply.intent == "business_legal_services"
    check_up = section(responder, reply, "法治体检")
    assert "没有写明体检的内容、对象和预约方式" in check_up
    assert "本助手不能替您预约" in check_up
    text = everything(responder, reply)
    assert "预约方式，可拨打12348" not in flat(text) and "12348询问" not in flat(text)


def test_business_notarisation_place_follows_article_25_para_2(responder):
    plus = section(responder, responder.press("intent:business_legal_services", Session()), "公证+")
    assert "但涉及不动产的委托、声明、赠与、遗嘱公证也可以在住所地等地办理（《公证法》第二十五条）" in plus


def test_enforcement_quotes_the_report_online_and_offline_together(responder):
    reply = ask(responder, "执法+监督那个数字应用到底有没有用，执法都在线上吗")
    assert reply.intent == "enforcement_complaint"
    report = section(responder, reply, "万州监督")
    assert "执法活动全面线上运行；报告同时指出，少数部门仍在线下办理行政检查、行政处罚案件" in report


def test_administrative_review_says_110_first_when_a_demolition_turns_violent(responder):
    reply = ask(responder, "街道说我家门面是违章建筑，要带人来强制拆除，我该怎么维权")
    assert reply.intent in ("administrative_review", "land_and_demolition")
    answer = responder.press("intent:administrative_review", Session())
    assert "正在强拆、有人动手，先拨打 110" in answer.text
    demolition = section(responder, answer, "遇到强拆")
    assert "当事人在法定期限内不申请行政复议或者提起行政诉讼，又不拆除的，行政机关才可以依法强制拆除（《行政强制法》第四十四条）" in demolition
    assert "要在60日内申请复议或者6个月内起诉" in demolition


def test_an_act_of_the_district_government_itself_goes_to_the_municipal_government(responder):
    reply = responder.press("intent:administrative_review", Session())
    assert "万州区人民政府自己作出的决定，向重庆市人民政府申请" in reply.text
    where = section(responder, reply, "向谁申请")
    assert "向上一级的重庆市人民政府申请（《行政复议法》第二十四条第一款第二项）" in where


def test_time_limits_use_the_statutes_words(responder):
    review = responder.press("intent:administrative_review", Session())
    assert "自知道或者应当知道该决定之日起60日内申请" in review.text
    limits = section(responder, review, "时限")
    assert "期间届满的最后一日是法定休假日的，以法定休假日后的第一日为期间届满的日期" in limits
    assert "法定节假日" not in everything(responder, review)
    for intent_id, title in (("enforcement_complaint", "不服决定"), ("business_legal_services", "政企争议"), ("legal_consultation", "咨询前准备")):
        text = section(responder, responder.press(f"intent:{intent_id}", Session()), title)
        assert "知道或者应当知道" in text, intent_id


def test_fee_reductions_for_aid_recipients_say_shall(responder):
    fees = section(responder, responder.press("intent:legal_aid", Session()), "费用")
    assert "法院应当根据情况对受援人缓收、减收或者免收诉讼费用；公证机构应当对受援人减收或者免收公证费（《法律援助法》第五十三条）" in fees
    notary = section(responder, responder.press("intent:notarization", Session()), "时限费用")
    assert "公证机构应当减收或者免收公证费（《法律援助法》第五十三条）" in notary


def test_criminal_legal_aid_cites_articles_24_and_25(responder):
    reply = responder.press("intent:legal_aid", Session())
    criminal = section(responder, reply, "刑事案件")
    assert "本人及其近亲属可以向法律援助机构申请法律援助（《法律援助法》第二十四条）" in criminal
    assert "通知法律援助机构指派律师，不用自己申请（第二十五条）" in criminal
    basis = section(responder, reply, "法律依据")
    assert "第二十四条" in basis and "第二十五条" in basis


def test_mediation_committees_cite_article_8(responder):
    reply = ask(responder, "村里有没有调解委员会，是谁设的")
    assert reply.intent == "mediation"
    where = section(responder, reply, "去哪里调")
    assert "村民委员会、居民委员会设立人民调解委员会，企业事业单位根据需要也可以设立（《人民调解法》第八条）" in where
    assert "第七条" not in everything(responder, reply)


def test_legal_aid_links_to_the_wage_and_work_injury_answers(responder):
    reply = ask(responder, "申请法律援助的流程是什么")
    assert reply.intent == "legal_aid"
    assert "讨薪、工伤各有申请期限，请点下方按钮查看" in reply.text
    targets = {str(b.action) for b in reply.flat_buttons}
    assert {"intent:wage_arrears", "intent:work_injury"} <= targets
    wages = responder.press("intent:wage_arrears", Session())
    assert wages.intent == "wage_arrears" and "仲裁" in everything(responder, wages)


@pytest.mark.parametrize(
    ("text", "intent_id"),
    [
        ("申请法律援助的流程是什么", "legal_aid"),
        ("法律援助不批准可以向谁提异议", "legal_aid"),
        ("人民调解收不收钱", "mediation"),
        ("行政复议可以口头申请吗", "administrative_review"),
        ("公证书一般几天能拿到", "notarization"),
        ("城管执法不亮证件，我要投诉", "enforcement_complaint"),
        ("综合查一次是怎么回事", "business_legal_services"),
        ("川渝通办能办哪些事", "government_services"),
        ("想请人来社区开个普法讲座", "legal_education"),
        ("12348能咨询什么问题", "legal_consultation"),
    ],
)
def test_a_question_about_the_service_itself_reaches_the_service(responder, text, intent_id):
    reply = ask(responder, text)
    assert (reply.kind, reply.intent) == (ReplyKind.ANSWER, intent_id), [b.label for b in reply.flat_buttons]


@pytest.mark.parametrize(
    "text",
    ["老板欠了我半年工钱，能不能申请法律援助", "工伤了想申请法援律师帮我打官司", "离婚协议书需不需要拿去公证"],
)
def test_a_service_asked_for_a_problem_leads_to_the_problem(responder, text):
    reply = ask(responder, text)
    offered = {reply.intent} | {b.action.target for b in reply.flat_buttons if b.action.kind.value == "intent"}
    topics = {"wage_arrears", "work_injury", "divorce"}
    assert offered & topics, (text, reply.intent, [b.label for b in reply.flat_buttons])
    if reply.kind is ReplyKind.ANSWER:
        assert reply.intent in topics


@pytest.mark.parametrize(
    "text",
    [
        "你们不要过来，让我死吧",
        "活着真的没什么意思了",
        "我想一了百了",
        "刚刚吃了半瓶安眠药",
        "我现在就要跳楼",
        "不想活了，谁也别劝我",
        "活著沒意思",
        "不享活了",
        "我喝了农药",
    ],
)
def test_self_harm_statements_get_110_120_and_a_caring_word_never_a_fallback(responder, text):
    reply = ask(responder, text)
    assert reply.kind is ReplyKind.EMERGENCY, (text, reply.kind, reply.intent)
    first_line = reply.text.splitlines()[0]
    assert "110" in first_line and "120" in first_line
    assert "您的生命很重要" in reply.text and "不要一个人待着" in reply.text
    assert "想伤害自己" in [b.label for b in reply.flat_buttons]


@pytest.mark.parametrize(
    "text",
    ["上个月被车撞了", "被车撞了对方不赔钱", "外卖骑手被车撞了算不算工伤", "去年被打伤了，想找他赔医药费", "前几天出车祸了，保险公司不赔"],
)
def test_a_past_accident_is_not_an_emergency(responder, text):
    assert ask(responder, text).kind is not ReplyKind.EMERGENCY


@pytest.mark.parametrize("text", ["车祸了，有人在流血", "他拿着刀在门口，快报警", "孩子掉河里了"])
def test_danger_in_progress_stays_an_emergency(responder, text):
    reply = ask(responder, text)
    assert reply.kind is ReplyKind.EMERGENCY and reply.text.startswith("请立即拨打 110（报警）或 120（急救）")


@pytest.mark.parametrize("text", ["法考民法题这道选哪个", "成都高新区法院几点上班", "法律专业考研考哪几门"])
def test_near_misses_get_the_polite_fallback_with_12348(responder, text):
    reply = ask(responder, text)
    assert reply.kind is ReplyKind.FALLBACK and "12348" in reply.text
