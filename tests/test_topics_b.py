"""Family, harm, neighbourhood and housing problems as a resident meets them: a fresh question reaches
its topic, the first message fits a phone and says what to do first, every section is one tap away
with a way back, and the legal basis names the articles.

The phrasings below were written for this test and are not in the intent files (checked here too)."""

from __future__ import annotations

import re

import pytest

from bot.core.normalise import clean_text
from bot.core.reply import Reply, ReplyKind
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows

SUMMARY_MAX = 300
MAX_MISSES = 1  # of the ten fresh phrasings per topic
HOTLINES = ("12348", "110", "120", "122", "12338", "12345", "12315")

FRESH: dict[str, list[str]] = {
    "divorce": [
        "我和老婆过不下去了想分开",
        "离婚后房子归谁",
        "老公出轨了我要跟他离",
        "请问办离婚证需要什么材料",
        "孩子抚养权怎么争取",
        "彩礼钱结婚半年能要回来吗",
        "起诉离婚要多久能判下来",
        "he wants a divorce but I don't",
        "感情不和分居三年了",
        "男方死活不同意离婚怎么弄",
    ],
    "family_support": [
        "父母老了儿子不管该怎么处理",
        "孩子爸爸不出抚养费",
        "老人告子女要钱能赢吗",
        "抚养费标准是多少",
        "女儿出嫁了还要养父母吗",
        "我爸不给我生活费，我还在读高二",
        "弟弟不愿意分摊妈妈的医药费",
        "前妻再婚了孩子的抚养费我还要给吗",
        "继母要我出养老钱",
        "赡养纠纷怎么起诉",
    ],
    "domestic_violence": [
        "老公又动手打我了，上周的事",
        "保护令需要什么材料",
        "家暴证据怎么收集",
        "我爸经常打我妈",
        "家暴男不让我走",
        "被丈夫打了好几次，不知道找谁",
        "反家暴法能保护我吗",
        "丈夫喝醉了就打人，我想让法院管住他",
        "结婚后老公一直对我动手动脚打骂",
        "前夫一直威胁我，还跟踪我",
    ],
    "inheritance": [
        "老妈走了存款怎么分",
        "公证过的遗嘱能不能被推翻",
        "爷爷的房子孙子能继承吗",
        "我不要我爸的遗产行不行",
        "没有子女的老人财产归谁",
        "后妈要分我爸的遗产",
        "遗嘱见证人有什么要求",
        "死者生前欠的贷款谁来还",
        "家里老人去世，兄弟为房子闹翻了",
        "姑姑说外婆的房子女儿不能分",
    ],
    "traffic_accident": [
        "骑自行车被公交车挂倒了",
        "车祸对方只愿意赔一半医药费",
        "我的车停着被人撞了找不到司机",
        "交通事故伤残鉴定怎么做",
        "被撞后对方保险公司让我签字",
        "撞车以后交警让我们自己协商",
        "出租车司机撞了我不管",
        "交通事故死亡赔偿金多少",
        "家里老人被撞身亡赔偿",
        "車子被追尾對方不認",
    ],
    "personal_injury": [
        "被邻居的猫抓伤了",
        "楼上扔下个花盆砸到我",
        "被同学打伤了学校不管",
        "骑车被狗追摔伤了",
        "伤情鉴定去哪做",
        "被人用砖头砸伤",
        "路边广告牌掉下来砸伤人",
        "在银行门口滑倒骨折",
        "宠物狗咬了快递员谁负责",
        "小孩在游泳馆受伤",
    ],
    "neighbour_dispute": [
        "楼上的水管爆了淹了我家",
        "隔壁天天唱卡拉OK",
        "邻居违建挡住我家窗户",
        "邻居不让我从他家门前过",
        "邻居的树根把我家墙拱裂了",
        "晚上楼上拖椅子的声音",
        "跟隔壁为了界线打官司",
        "邻居空调外机对着我家窗户吹热风",
        "隔壁养鸡臭得要命",
        "楼上洗衣机半夜转",
    ],
    "property_management": [
        "物业费可以拒交吗",
        "欠了两年物业费被起诉",
        "物业私自占用绿地收钱",
        "业主大会怎么投票换物业",
        "小区维修基金怎么查",
        "物业不作为找哪个部门",
        "物业停电催费",
        "电梯老是坏物业不管",
        "物业公司收费标准不公开",
        "物管把小区大门的车位租给外人",
    ],
    "tenancy": [
        "退房后押金一直要不回来",
        "房东要提前收房怎么办",
        "租房合同没到期被赶出来",
        "房东不修空调",
        "租房押金扣了一半合理吗",
        "房东私自进我租的房间",
        "签了一年合同想提前搬走",
        "房东家里的房子被法院查封了",
        "租客不搬走怎么办",
        "新房东说旧合同不算数",
    ],
}


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def _reaches(reply: Reply, topic: str) -> bool:
    """The resident sees the topic's answer, or it is one of the choices offered."""
    if reply.kind is ReplyKind.ANSWER:
        return reply.intent == topic
    return reply.kind is ReplyKind.AMBIGUOUS and f"intent:{topic}" in {str(b.action) for b in reply.flat_buttons}


@pytest.mark.parametrize("topic", sorted(FRESH))
def test_fresh_phrasings_are_not_examples(knowledge, topic):
    written = {clean_text(e) for intent in knowledge.intents for e in intent.examples}
    assert [t for t in FRESH[topic] if clean_text(t) in written] == []


@pytest.mark.parametrize("topic", sorted(FRESH))
def test_fresh_phrasings_reach_the_topic(responder, topic):
    misses = [t for t in FRESH[topic] if not _reaches(responder.respond(t, Session()), topic)]
    assert len(misses) <= MAX_MISSES, misses


@pytest.mark.parametrize("topic", sorted(FRESH))
def test_first_message_fits_a_phone_and_names_a_hotline(responder, topic):
    reply = responder.press(f"intent:{topic}", Session())
    assert reply.kind is ReplyKind.ANSWER and reply.intent == topic
    assert len(reply.text) <= SUMMARY_MAX
    assert any(h in reply.text for h in HOTLINES)
    assert "先" in reply.text  # what to do first
    assert "**" not in reply.text and "#" not in reply.text  # plain text, no markdown


@pytest.mark.parametrize("topic", sorted(FRESH))
def test_every_section_opens_in_one_tap_with_a_way_back(responder, topic):
    reply = responder.press(f"intent:{topic}", Session())
    sections = [b for b in reply.flat_buttons if str(b.action).startswith(f"sec:{topic}:")]
    assert len(sections) >= 4  # written sections, where to go, legal basis
    assert len({b.label for b in reply.flat_buttons}) == len(reply.flat_buttons)
    for button in sections:
        opened = responder.press(button.action, Session())
        assert opened.kind is ReplyKind.SECTION and button.label in opened.text
        back = next(b for b in opened.flat_buttons if "返回" in b.label)
        assert responder.press(back.action, Session()).text == reply.text


@pytest.mark.parametrize("topic", sorted(FRESH))
def test_legal_basis_cites_every_source_article(responder, knowledge, topic):
    reply = responder.press(f"intent:{topic}", Session())
    basis = next(b for b in reply.flat_buttons if b.label == "法律依据")
    text = responder.press(basis.action, Session()).text
    for source in knowledge[topic].sources:
        law, _, article = source.partition("》")
        assert law.strip("《") in text and article in text


def _position(text: str, *words: str) -> int:
    found = [text.find(w) for w in words if w in text]
    assert found, words
    return min(found)


def test_domestic_violence_opens_with_110_then_the_protection_order_and_its_speed(responder):
    text = responder.respond("老公打了我好多次，我该怎么保护自己", Session()).text
    assert _position(text, "110") < _position(text, "告诫书") < _position(text, "保护令")
    assert "72小时" in text and "24小时" in text and "不用先离婚" in text
    assert re.search("法律援助.{0,6}不受经济困难条件限制", text)


def test_divorce_corrects_the_cooling_off_myth(responder):
    reply = responder.respond("起诉离婚是不是也要等冷静期", Session())
    myths = next(b for b in reply.flat_buttons if b.label == "常见误区")
    assert "只适用于登记离婚" in responder.press(myths.action, Session()).text


def test_support_claims_have_no_limitation_period(responder):
    text = responder.respond("我妈要赡养费，拖了五年还能告吗", Session()).text
    assert "不受诉讼时效限制" in text


def test_a_second_problem_is_offered_beside_the_first(responder):
    reply = responder.respond("他打我，我要离婚", Session())
    actions = {str(b.action) for b in reply.flat_buttons}
    assert reply.intent in ("divorce", "domestic_violence")
    assert {"intent:divorce", "intent:domestic_violence"} - {f"intent:{reply.intent}"} <= actions


def test_inheritance_says_the_latest_will_prevails_not_the_notarised_one(responder):
    reply = responder.respond("两份遗嘱一份公证一份自己写的，听哪份的", Session())
    assert reply.intent == "inheritance"
    myths = next(b for b in reply.flat_buttons if b.label == "常见误区")
    text = responder.press(myths.action, Session()).text
    assert "以最后一份为准" in text and "公证遗嘱也一样" in text


@pytest.mark.parametrize(
    ("text", "topic"),
    [("上个月被车撞了", "traffic_accident"), ("被车撞了对方不赔钱", "traffic_accident"), ("去年被打伤了想要赔偿", "personal_injury")],
)
def test_past_harm_is_its_topic_not_an_emergency(responder, text, topic):
    reply = responder.respond(text, Session())
    assert reply.kind is not ReplyKind.EMERGENCY and _reaches(reply, topic)


def test_an_accident_with_bleeding_now_stays_an_emergency(responder):
    assert responder.respond("车祸了，有人在流血", Session()).kind is ReplyKind.EMERGENCY


def test_property_company_may_not_cut_utilities_to_collect_fees(responder):
    text = responder.respond("欠物业费物业就给我停电了，这样行吗", Session()).text
    assert "不得用停水、停电" in text and "第九百四十四条" in text


def test_a_sale_does_not_break_the_lease(responder):
    reply = responder.respond("房东把租给我的房子卖了，买家让我马上搬", Session())
    assert reply.intent == "tenancy"
    section = next(b for b in reply.flat_buttons if b.label == "卖房续租")
    assert "不影响租赁合同的效力" in responder.press(section.action, Session()).text
