"""Calls for help told in the writer's own words, not in the emergency intent's phrases."""

import pytest

from bot.core.danger import states_self_harm, threatens_to_kill
from bot.core.normalise import normalise


def _text(raw: str) -> str:
    return normalise(raw).text


@pytest.mark.parametrize(
    "text",
    [
        "我明天打算去死了，大家保重",
        "今天又割开了手腕",
        "想从阳台上跳下去",
        "你告诉我从几楼跳下去会摔死",
        "我写好了遗书放在抽屉里",
        "我们约好在另一个世界见",
        "找个没人的地方偷偷死了算了",
        "第二次吞药还是没死成",
        "我不想再为他们活着了",
    ],
)
def test_self_harm_in_the_writers_own_words_is_recognised(text):
    assert states_self_harm(_text(text))


@pytest.mark.parametrize(
    "text",
    [
        "孩子从二楼阳台跳下来摔伤了，学校要赔吗",
        "想跳槽去别的公司，竞业限制怎么办",
        "爷爷临终前写了遗书，算不算遗嘱",
        "我自己写了一份遗书，没去公证有法律效力吗",  # 遗书 for 遗嘱: a question about a will
        "被玻璃割了手腕，商场要赔吗",
        "割草机割伤了手臂，老板不给工伤",
        "去年我老婆尝试自杀过，现在要离婚",
        "买了很多感冒药，药店不给退",
        "我死后房子留给谁",
    ],
)
def test_everyday_questions_with_the_same_words_are_not_self_harm(text):
    assert not states_self_harm(_text(text))


@pytest.mark.parametrize("text", ["他威胁说出杀人的话", "前夫扬言要砍死他", "邻居放话要弄死我全家", "他喝醉了拿菜刀追我", "他提着刀冲过来了", "被第三者拿家人性命威胁", "他天天恐吓要我们一家的性命"])
def test_a_threat_to_kill_is_recognised_however_worded(text):
    assert threatens_to_kill(_text(text))


@pytest.mark.parametrize("text", ["过年了家里说要杀年猪", "公司威胁要开除我", "故意杀人罪判几年", "上个月他拿刀砍伤了我"])
def test_threat_words_alone_are_no_threat_to_kill(text):
    assert not threatens_to_kill(_text(text))


@pytest.mark.parametrize("text", ["我现在被贷款公司软禁快两个月了，腿肿得厉害", "救命啊有人打我", "他们抢了我的救命钱，救命，还在打我"])
def test_a_call_for_help_is_answered_as_an_emergency(matcher, text):
    assert matcher.match(text).intent == "emergency"


@pytest.mark.parametrize("text", ["信用社怎么能扣我的救命钱抵贷款", "这笔钱是我的救命稻草，借给他不还了怎么办"])
def test_the_words_of_a_call_for_help_inside_an_everyday_word_are_no_emergency(matcher, text):
    assert matcher.match(text).intent != "emergency"
