"""Topic answers as a resident meets them: wages, labour disputes, work injury, fraud, demolition,
a detained relative, consumer rights, medical disputes and debts.

Each topic is asked in words that are NOT in its YAML (fresh phrasings, at most one miss in ten),
its first message fits a phone and names a hotline or the first step, every section opens in one
tap with a way back, the legal basis lists the articles, and the urgent step comes first where
time matters (a scam, a demolition going on today).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.actions import ActionKind
from bot.core.compose import BACK_LABEL, BASIS_TITLE
from bot.core.reply import Reply, ReplyKind
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows

SUMMARY_MAX = 300
MAX_MISSES = 1  # of the ten fresh phrasings per topic
HOTLINES = ("110", "120", "122", "12333", "12315", "12320", "12345", "12348", "96110")


@dataclass(frozen=True)
class Topic:
    id: str
    calculator: str | None  # the deadline calculator the answer offers, if any
    fresh: tuple[str, ...]  # ten phrasings that are not in the YAML
    must_say: tuple[str, ...]  # what a resident must be able to read in the answer (summary + sections)


TOPICS = (
    Topic(
        "wage_arrears",
        "flow:deadline:k:labour-arbitration",
        (
            "干完活老板说没钱，工资拖到过年都没给",
            "我们班组八个人的工钱被包工头卷走了",
            "工资拖欠了五个月，能不能找政府",
            "离职半年了公司还差我两个月工资",
            "老板一直说下周发工资，都说了三个月了",
            "公司破产了欠我们的工资谁来给",
            "在餐馆端盘子，老板拖着工钱不结",
            "去劳动监察大队投诉欠薪要带什么",
            "拖欠工资超过一年还能要回来吗",
            "老板欠薪不给，我还在厂里上班，可以申请仲裁吗",
        ),
        ("12333", "不受1年仲裁时效限制", "免予核查经济困难状况", "施工总承包单位先行清偿", "劳动仲裁不收费"),
    ),
    Topic(
        "labour_dispute",
        "flow:deadline:k:labour-arbitration",
        (
            "公司无缘无故把我开除了",
            "入职一年多，合同一直没签，可以要什么赔偿",
            "每天干十二个小时，加班费一分没有",
            "公司要我主动辞职，不然就调我去扫厕所",
            "老板不给交五险一金",
            "工作五年被辞退，补偿金应该给多少",
            "劳动仲裁输了还能上诉吗",
            "hr让我签离职协议，说不签就开除",
            "试用期快结束了公司说不录用我，要给补偿吗",
            "合同到期不续签了，我能拿到钱吗",
        ),
        ("仲裁时效1年", "二倍工资", "二倍的赔偿金", "约定或承诺不缴社保无效", "每件交10元"),
    ),
    Topic(
        "work_injury",
        "flow:deadline:k:work-injury",
        (
            "搬货的时候被叉车压到了脚，厂里让我自己出医药费",
            "上夜班回家骑电动车被撞了，是对方全责，公司说不算工伤",
            "在建筑工地被钢管砸到头，包工头不管",
            "工伤认定超过一年了还能申请吗",
            "厂里没给我们交工伤保险，手断了谁来赔",
            "老公在工地上摔死了，公司不承认",
            "工伤鉴定评了九级，赔偿怎么算",
            "老板让我私了不要去认定工伤",
            "车间里吸了几年粉尘，现在肺不好，算职业病吗",
            "干活时被电锯伤了手，老板说是我自己不注意不给报",
        ),
        ("1年内", "30日内", "由单位承担举证责任", "工伤保险基金中先行支付", "60日内"),
    ),
    Topic(
        "fraud",
        None,
        (
            "我刚被人骗了转了三千块，现在该干嘛",
            "网上兼职做任务被骗了一万二",
            "有个人打电话说是公安局的，要我配合调查转账，我已经转了",
            "被网友骗去投资虚拟币，钱全没了",
            "接到反诈中心的电话说我可能被骗了，是真的吗",
            "被骗的钱报警以后能追回多少",
            "我妈被冒充我的人骗了五千块",
            "有人高价收购银行卡，能卖吗",
            "贷款app让我先交会员费，交了还是没下款，是不是骗子",
            "手机上点了一个链接，卡里的钱被盗刷了",
        ),
        ("受案回执", "紧急止付", "96110", "帮助信息网络犯罪活动罪", "申诉"),
    ),
    Topic(
        "land_and_demolition",
        "flow:deadline:k:administrative-review",
        (
            "拆迁队现在就在我家楼下要动手拆房",
            "我们村的地被征了，每亩才给这么点钱",
            "旧城改造要拆我家，补偿协议我不想签",
            "征收补偿决定我不服，怎么维权",
            "政府要征我家的地修路，补偿怎么算",
            "不给钱就叫我们搬，还把电给掐了",
            "村干部把我家承包的田收回去了",
            "拆迁评估报告的价格太低了，可以重新评估吗",
            "房子被强行拆了，东西都没搬出来",
            "征地补偿款被村干部扣着不发",
        ),
        ("先补偿、后搬迁", "申请法院强制执行", "重庆市人民政府", "不收费", "时效2年", "《行政强制法》第四十四条"),
    ),
    Topic(
        "criminal_case",
        None,
        (
            "我爸昨天被派出所抓走了，我们该怎么办",
            "老公被刑事拘留，我想给他请个律师",
            "家里人进了看守所，律师什么时候能去见",
            "被抓的家人没钱请律师，怎么申请免费的",
            "刑拘以后多少天检察院决定批不批捕",
            "我弟被抓了，想办取保候审需要什么",
            "孩子16岁被公安拘留了，我们做家长的能干嘛",
            "丈夫被逮捕两个月了，还要关多久",
            "警察抓人以后不通知家属合法吗",
            "家人涉嫌犯罪被关押，可以申请取保吗",
        ),
        ("24小时内", "48小时内", "第二十四条", "最长14日", "3日内作出决定"),
    ),
    Topic(
        "consumer_rights",
        None,
        (
            "淘宝上买的名牌包是假的，卖家不认",
            "商场买的电视一周就黑屏了，能退吗",
            "美容院办的卡不想做了，钱能退回来吗",
            "买到的奶粉过期了，超市只愿意换一罐",
            "快递收到东西是坏的，商家让我自己承担运费",
            "网上买的东西没拆封，七天内能退吗",
            "卖家发的货和图片完全不一样",
            "去哪里投诉黑心商家",
            "餐厅吃了不干净的东西拉肚子，怎么索赔",
            "4s店修车多收了我好几千",
        ),
        ("12315", "7日内", "三倍", "不足500元的按500元", "内容无效", "7个工作日内"),
    ),
    Topic(
        "medical_dispute",
        "flow:deadline:k:civil-limitation",
        (
            "医生手术做错了位置，医院想私下给点钱了事",
            "我妈在医院被耽误了，现在瘫痪在床",
            "医院说病历不能给我们复印",
            "孩子在医院治疗后反而更严重了，找谁讨说法",
            "医院的处理我们不服，想做医疗鉴定",
            "老公在医院去世了，我们怀疑是医生用错了药",
            "看病的时候医生没说清楚风险，现在出了后遗症",
            "医疗纠纷打官司要多久，能赔多少",
            "妇产科接生出了问题，孩子缺氧",
            "私人诊所打吊针出了事，老板跑了",
        ),
        ("封存", "48小时内", "不收费", "推定医院有过错", "12320", "30个工作日内"),
    ),
    Topic(
        "debt_dispute",
        "flow:deadline:k:civil-limitation",
        (
            "邻居找我借了八千块，两年了一分没还",
            "借给同事的钱他不承认了",
            "写了借条的钱对方一直拖，怎么起诉",
            "借钱不还超过三年了还能要吗",
            "朋友借钱的时候说月息三分，合法吗",
            "亲戚借钱给我打了收条，现在不还",
            "只有聊天记录能证明他借了我的钱",
            "借钱不还的人跑到外地去了，怎么告他",
            "起诉要回借款大概要多长时间",
            "前夫借了我的钱离婚后不认了",
        ),
        ("重新计算", "支付令", "四倍", "视为没有利息", "两年是旧的", "2年"),
    ),
)
BY_ID = {t.id: t for t in TOPICS}


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def _answer(responder: Responder, topic_id: str) -> Reply:
    return responder.press(f"intent:{topic_id}", Session())


def _sections(responder: Responder, reply: Reply) -> list[tuple[str, Reply]]:
    """(button label, the message it opens) for every section button under ``reply``."""
    return [(b.label, responder.press(b.action, Session())) for b in reply.flat_buttons if b.action.kind is ActionKind.SECTION]


def _everything(responder: Responder, topic_id: str) -> str:
    reply = _answer(responder, topic_id)
    return "\n".join([reply.text] + [opened.text for _, opened in _sections(responder, reply)])


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_fresh_phrasings_reach_the_topic(responder, knowledge, topic):
    examples = set(knowledge[topic.id].examples)
    assert not examples & set(topic.fresh), "a fresh phrasing was copied into the YAML"
    replies = {text: responder.respond(text, Session()) for text in topic.fresh}
    missed = {text: (r.kind.value, r.intent) for text, r in replies.items() if not _reaches(r, topic.id)}
    assert len(missed) <= MAX_MISSES, missed


def _reaches(reply: Reply, topic_id: str) -> bool:
    """The resident gets the topic's answer, or it is the first choice of a "did you mean"."""
    if reply.kind is ReplyKind.ANSWER:
        return reply.intent == topic_id
    first = reply.flat_buttons[0].action if reply.kind is ReplyKind.AMBIGUOUS and reply.flat_buttons else None
    return first is not None and first.kind is ActionKind.INTENT and first.target == topic_id


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_first_message_fits_a_phone_and_names_a_hotline(responder, knowledge, topic):
    reply = _answer(responder, topic.id)
    assert reply.kind is ReplyKind.ANSWER and reply.text == knowledge[topic.id].summary
    assert len(reply.text) <= SUMMARY_MAX
    assert any(number in reply.text for number in HOTLINES)
    assert "**" not in reply.text and "#" not in reply.text  # plain text, no markdown
    labels = [b.label for b in reply.flat_buttons]
    assert len(labels) == len(set(labels)), "a button appears twice"


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_every_section_opens_in_one_tap_with_a_way_back(responder, topic):
    reply = _answer(responder, topic.id)
    sections = _sections(responder, reply)
    assert 3 <= len(sections) <= 8
    for label, opened in sections:
        assert opened.kind is ReplyKind.SECTION and opened.text.startswith(f"【{reply_title(responder, topic.id)} · {label}】")
        back = next(b for b in opened.flat_buttons if b.label == BACK_LABEL)
        assert responder.press(back.action, Session()).text == reply.text


def reply_title(responder: Responder, topic_id: str) -> str:
    return responder.knowledge[topic_id].title


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_legal_basis_lists_every_article_the_answer_cites(responder, knowledge, topic):
    reply = _answer(responder, topic.id)
    basis = dict(_sections(responder, reply))[BASIS_TITLE].text
    sources = knowledge[topic.id].sources
    assert sources
    for source in sources:
        law, _, article = source.partition("》")
        assert law.removeprefix("《") in basis and article in basis, source


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_the_answer_says_what_the_resident_needs_to_know(responder, topic):
    text = _everything(responder, topic.id)
    missing = [phrase for phrase in topic.must_say if phrase not in text]
    assert not missing


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_the_answer_offers_its_deadline_calculator_and_at_most_four_related_buttons(responder, knowledge, topic):
    intent = knowledge[topic.id]
    assert len(intent.buttons) <= 4
    actions = {str(b.action) for b in _answer(responder, topic.id).flat_buttons}
    if topic.calculator:
        assert topic.calculator in actions


def test_wage_myth_no_time_limit_while_still_employed(responder):
    reply = responder.respond("还在这个厂上班，工资拖了一年半，是不是过了仲裁时效", Session())
    assert reply.intent == "wage_arrears"
    myths = dict(_sections(responder, reply))["常见误区"].text
    assert "不受1年仲裁时效限制" in myths and "第二十七条" in myths


def test_work_injury_after_the_employer_did_nothing_the_worker_applies_within_a_year(responder):
    reply = responder.respond("单位出了事就不管了，工伤认定我们家属自己能不能去申请", Session())
    assert reply.intent == "work_injury" and reply.kind is ReplyKind.ANSWER
    assert "1年内" in reply.text and "第十七条" in reply.text


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_scam_opens_with_110_and_stopping_the_transfer(responder):
    reply = responder.respond("我在网上被人骗了五千块，刚转过去", Session())
    assert reply.intent == "fraud" and reply.kind is ReplyKind.ANSWER
    first, second = _lines(reply.text)[:2]
    assert "110" in first and "止付" in first and ("银行" in first or "支付平台" in first)
    assert "96110" in second and "接" in second


def test_a_demolition_today_opens_with_safety_then_review_and_suit_deadlines(responder):
    reply = responder.respond("今天就要被强拆了，挖机都来了", Session())
    assert reply.intent == "land_and_demolition" and reply.kind is ReplyKind.ANSWER
    lines = _lines(reply.text)
    assert "不要动手" in lines[0] and "拍" in lines[0] and "110" in lines[0]
    assert any("60日" in line and "行政复议" in line and "6个月" in line for line in lines[1:])
    assert reply.kind is not ReplyKind.EMERGENCY  # guidance for the demolition, not the generic emergency page
