"""Near misses a resident would be misled by: an office in another city, an exam question, a death
already told of, a word that only sounds like a call for help.

Each is asked through the real responder and judged on the reply a resident reads.
"""

from __future__ import annotations

import pytest

from bot.core.reply import ReplyKind
from bot.core.responder import Responder
from bot.core.session import Session
from bot.core.scope import asks_about_office_elsewhere, is_exam_question, is_point_of_law
from bot.flows import all_flows


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def _reply(responder: Responder, text: str):
    return responder.respond(text, Session())


@pytest.mark.parametrize(
    "text",
    ["北京市朝阳区公证处几点上班", "深圳市法律援助中心电话多少", "杭州公证处周六办公吗", "渝中区法院立案庭几点上班", "廣州的勞動仲裁委週末上班嗎"],
)
def test_an_office_elsewhere_is_not_answered_with_wanzhous(responder, text):
    reply = _reply(responder, text)
    assert reply.kind is ReplyKind.FALLBACK
    assert "只掌握万州区" in reply.text and "12348" in reply.text


@pytest.mark.parametrize(
    "text, intent",
    [
        ("万州区公证处几点上班", "notarization"),
        ("我人在广州，想委托万州的亲戚卖老房子，委托书公证能在广州办吗", "notarization"),
        ("新乡镇司法所在哪", None),  # a Wanzhou town named like a city elsewhere is not elsewhere
    ],
)
def test_wanzhou_offices_and_towns_are_home(responder, text, intent):
    reply = _reply(responder, text)
    assert "只掌握万州区" not in reply.text
    if intent:
        assert reply.intent == intent


def test_a_problem_told_from_another_city_still_gets_its_guidance(responder):
    reply = _reply(responder, "我在广州打工，老板三个月不给工资，广州劳动监察大队电话多少")
    assert reply.intent == "wage_arrears"


@pytest.mark.parametrize(
    "text",
    [
        "居民甲将房屋出租给乙，乙经甲同意对承租房进行了装修并转租给丙，丙擅自更改房屋承重结构，甲能否请求乙承担违约责任",
        "下列企业中一定具有中国法人资格的是A:外商独资企业;B:中外合资经营企业;C:中外合作经营企业",
        "关于离婚冷静期，下列说法正确的是",
    ],
)
def test_exam_questions_are_declined_kindly(responder, text):
    reply = _reply(responder, text)
    assert reply.kind is ReplyKind.FALLBACK and "考试题或作业题" in reply.text


@pytest.mark.parametrize(
    "text",
    ["我是乙方，甲方拖欠工程款三个月了怎么办", "租的房子甲醛超标，房东不退押金", "我有乙肝，公司就把我辞退了", "A公司欠我工资，B公司说不归它管"],
)
def test_everyday_words_with_party_letters_are_not_exam_questions(text):
    assert not is_exam_question(text)


def test_the_office_check_needs_an_office_and_a_local_fact():
    assert asks_about_office_elsewhere("北京市朝阳区公证处地址") == "北京市"
    assert asks_about_office_elsewhere("我在北京打工被拖欠工资") is None
    assert asks_about_office_elsewhere("北京的公证处") is None


@pytest.mark.parametrize(
    "text",
    ["我朋友自杀了，保险公司赔不赔", "我老公自杀了，他欠的债要我还吗", "儿子在学校跳楼死了，学校有没有责任", "对公安认定的自杀死因不服，想申请重新尸检", "我这是开网店的，对方买了几个玩具，果断时间就收到法院传票", "公司撑不下去了要裁员，补偿怎么算"],
)
def test_a_death_told_of_or_a_sound_alike_is_not_an_alarm(responder, text):
    assert _reply(responder, text).kind is not ReplyKind.EMERGENCY


@pytest.mark.parametrize(
    "text",
    ["老公自杀了，我也不想活了", "我怕自己哪天控制不住就自杀了", "他发信息威胁说要杀了我全家，现在人就在楼下", "好累，想死，已经在准备了", "他喝醉了说要和我同归于尽，现在在敲门", "他说今晚要捅死我", "活着没意义，想离开这个世界", "jiuming"],
)
def test_self_harm_and_threats_now_come_first(responder, text):
    reply = _reply(responder, text)
    assert reply.kind is ReplyKind.EMERGENCY and "110" in reply.text


def test_naming_wanzhou_keeps_the_question_at_home():
    assert asks_about_office_elsewhere("我人在广州，万州的公证处几点上班") is None


@pytest.mark.parametrize(
    "text, refused",
    [
        ("张某某把拍到的军舰照片卖给境外的人，犯什么罪", True),
        ("未满十八岁的人参与金融诈骗会定什么罪", True),
        ("我儿子打架把人打伤了被抓了，会定什么罪", False),
        ("网上被骗了五千块，骗子会定什么罪", False),
        # doctrine asked for its own sake, unless the writer's own case is in it
        ("继承权的法律特征", True),
        ("无因管理的构成要件有哪些", True),
        ("遗嘱的概念和基本原则", True),
        ("借条和欠条有什么区别", True),
        ("遗赠和遗嘱继承有什么不同", True),
        ("我被打伤了，故意伤害罪的构成要件是什么，他够不够得上", False),
        ("我爸的遗嘱把房子给了外人，遗赠和留给我们有什么不同", False),
    ],
)
def test_a_point_of_law_is_refused_but_a_residents_own_case_is_not(responder, text, refused):
    reply = _reply(responder, text)
    assert (reply.kind is ReplyKind.FALLBACK) is refused, reply.intent


def test_a_shape_intent_never_lends_its_wording_to_a_plain_fallback(responder):
    reply = _reply(responder, "你们几点下班")
    assert "外地机构" not in reply.text and "考试题" not in reply.text


def test_an_office_question_with_a_problem_behind_it_gets_the_problem(responder):
    assert _reply(responder, "在深圳被公司辞退了，深圳劳动仲裁委在哪里").intent == "labour_dispute"
    assert _reply(responder, "深圳劳动仲裁委在哪里").kind is ReplyKind.FALLBACK


@pytest.mark.parametrize(
    "text, quoted",
    [
        ("第四十七条 经济补偿按劳动者在本单位工作的年限每满一年支付一个月工资", True),
        ("中华人民共和国劳动合同法第八十二条", True),
        ("公司按劳动合同法第四十条把我辞退了没给补偿", False),
        ("劳动合同法第三十九条说的严重违反规章制度怎么理解", False),
    ],
)
def test_an_article_quoted_without_a_question_is_legal_text(text, quoted):
    assert is_point_of_law(text) is quoted

