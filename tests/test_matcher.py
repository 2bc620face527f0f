"""How the matcher treats messages as residents type them (by intent id, not by example text)."""

import pytest

from bot.core.matcher import MatchStatus


@pytest.mark.parametrize(
    "text, intent",
    [
        ("法律援助怎么申请", "legal_aid"),
        ("法律援注怎么申请", "legal_aid"),  # homophone typo
        ("falv yuanzhu zenme shenqing", "legal_aid"),  # pinyin
        ("請問調解要收費嗎", "mediation"),  # traditional characters
        ("罚款不服想申请行政复艺", "administrative_review"),
        ("公正处在哪里办遗嘱", "notarization"),
        ("老板欠我工资莫得钱请律师啷个办", "wage_arrears"),  # dialect; the problem, whose answer covers legal aid
        ("how do I get legal aid", "legal_aid"),
    ],
)
def test_real_world_spellings_reach_the_right_intent(matcher, text, intent):
    assert matcher.match(text).intent == intent


@pytest.mark.parametrize("text", ["今天万州天气怎么样", "推荐一款手机", "asdfghjkl", "讲个笑话听听", "🙂🙂🙂"])
def test_out_of_scope_messages_get_no_intent(matcher, text):
    match = matcher.match(text)
    assert match.intent is None and match.status is MatchStatus.NONE


@pytest.mark.parametrize(
    "text",
    ["救命！他拿着刀在砍人", "我不想活了", "我老公正在打我，快来人", "孩子被人抱走了"],
)
def test_emergencies_are_recognised(matcher, text):
    assert matcher.match(text).intent == "emergency"


def test_emergency_is_not_outvoted_by_a_service_in_the_same_message(matcher):
    match = matcher.match("我老公现在拿刀要杀我，我想申请法律援助离婚")
    assert match.intent == "emergency" and match.status is MatchStatus.MATCHED


def test_past_domestic_violence_asking_for_help_is_its_topic_not_an_emergency(matcher):
    match = matcher.match("以前遭受过家暴，现在想起诉离婚，请不起律师，能申请法律援助吗")
    assert match.intent in {"divorce", "domestic_violence"}
    assert {"divorce", "domestic_violence"} <= {c.intent for c in match.candidates}


def test_long_rambling_story_still_finds_the_problem(matcher):
    story = (
        "我在工地上干了大半年，包工头一直说年底结账，结果过年前人跑了，电话也打不通，"
        "我们十几个工友的工资加起来好几万，家里老人还等着钱看病，我们又没钱请律师，不知道该找哪个部门"
    )
    assert matcher.match(story).intent == "wage_arrears"


def test_matching_is_deterministic(knowledge):
    from bot.core.matcher import Matcher

    texts = ["邻居装修吵得睡不着", "公证遗嘱要本人去吗", "执法人员态度恶劣"]
    first = [Matcher(knowledge).match(t) for t in texts]
    second = [Matcher(knowledge).match(t) for t in texts]
    assert first == second


def test_candidates_are_ranked_and_scores_bounded(matcher):
    match = matcher.match("人民调解要不要交钱")
    scores = [c.score for c in match.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert match.candidates[0].intent == match.intent == "mediation"


def test_out_of_scope_examples_reject_a_message_and_never_appear_as_candidates(matcher):
    match = matcher.match("推荐一家好吃的火锅店")
    assert match.intent is None and match.status is MatchStatus.NONE
    assert all(c.intent != "out_of_scope" for c in match.candidates)


def test_everyday_chat_mentioning_wanzhou_is_not_a_legal_question(matcher):
    assert matcher.match("万州哪里可以学游泳").intent is None
    assert matcher.match("法院门口那家面馆几点开门").intent is None



def test_sound_codes_never_run_out_or_collide_with_the_unknown_code():
    from bot.core.matcher import _UNKNOWN_SOUND, _SoundCodes

    codes = _SoundCodes()
    coded = codes.learn(tuple(f"w{n}" for n in range(140_000)))  # more distinct words than code points
    assert len(coded) == 140_000
    known = coded.replace(_UNKNOWN_SOUND, "")
    assert len(set(known)) == len(known) > 130_000  # each known word its own code; the rest unknown


@pytest.mark.parametrize(
    "text, topic",
    [("上个月被车撞晕过去了，对方不赔钱", "traffic_accident"), ("去年被人打晕过去了，想要赔偿", "personal_injury")],
)
def test_harm_told_as_past_goes_to_its_topic_not_the_emergency(matcher, text, topic):
    assert matcher.match(text).intent == topic


@pytest.mark.parametrize("text", ["上个月他打了我，现在又拿刀要杀我", "以前想过自杀，现在又不想活了"])
def test_the_past_does_not_hide_danger_now(matcher, text):
    assert matcher.match(text).intent == "emergency"


def test_splitting_out_of_scope_fields_leaves_in_scope_scores_alone(tmp_path):
    """The other legal fields are one out-of-scope intent per field; merged into a single intent they
    must give the answering intents the same scores (only the refusal's wording differs)."""
    import shutil

    import yaml

    from bot.core.knowledge import default_intents_dir, load_knowledge
    from bot.core.matcher import Matcher
    from bot.core.normalise import normalise

    merged_dir = tmp_path / "intents"
    shutil.copytree(default_intents_dir(), merged_dir)
    path = merged_dir / "other_legal_fields.yaml"
    fields = yaml.safe_load(path.read_text(encoding="utf-8"))["intents"]
    assert len(fields) > 1
    merged = {**fields[0], "examples": [e for f in fields for e in f["examples"]], "keywords": [k for f in fields for k in f.get("keywords", [])]}
    path.write_text(yaml.safe_dump({"intents": [merged]}, allow_unicode=True), encoding="utf-8")
    split, single = Matcher(load_knowledge(default_intents_dir())), Matcher(load_knowledge(merged_dir))
    answering = [n for n, i in enumerate(split.knowledge.intents) if not i.out_of_scope]
    for text in ("请律师发律师函要多少钱", "how do I get legal aid", "老板拖欠我三个月工资", "离婚后孩子抚养费怎么算"):
        query = normalise(text)
        ours, by_id = split.scores(query), dict(zip(single.knowledge.ids, single.scores(query)))
        for n in answering:
            assert ours[n] == pytest.approx(by_id[split.knowledge.ids[n]], abs=0.01), (text, split.knowledge.ids[n])


@pytest.mark.parametrize(
    "text",
    ["他人用语言威胁说出杀人的话怎么办", "前夫扬言要砍死他", "邻居放话要弄死我全家", "以前他扬言要杀我全家，现在他出狱了"],
)
def test_a_threat_to_kill_in_any_wording_is_an_emergency(matcher, text):
    assert matcher.match(text).intent == "emergency"


@pytest.mark.parametrize("text", ["过年了家里说要杀年猪", "公司威胁要开除我", "故意杀人罪判几年"])
def test_threat_or_killing_words_alone_raise_no_alarm(matcher, text):
    assert matcher.match(text).intent != "emergency"


def _ranking(*scored: tuple[str, float]):
    from bot.core.matcher import Candidate

    return [Candidate(intent, score, score) for intent, score in scored]


def test_a_weak_match_stands_only_clear_of_every_other_intent(matcher):
    """Just above the threshold, a topic answers when nothing else comes near it (one problem told
    briefly), and is offered rather than answered when another intent is almost as strong."""
    threshold = matcher.threshold
    clear = matcher.decide(_ranking(("neighbour_dispute", threshold + 4), ("mediation", threshold - 20)))
    assert clear.intent == "neighbour_dispute" and clear.status is MatchStatus.MATCHED
    unsure = matcher.decide(_ranking(("neighbour_dispute", threshold + 4), ("legal_consultation", threshold - 3)))
    assert unsure.intent is None and unsure.unsure and unsure.candidates[0].intent == "neighbour_dispute"
    strong = matcher.decide(_ranking(("neighbour_dispute", threshold + 20), ("legal_consultation", threshold + 14)))
    assert strong.intent == "neighbour_dispute"


def test_a_weak_call_for_help_is_never_unsure(matcher):
    match = matcher.decide(_ranking(("emergency", matcher.threshold + 2), ("domestic_violence", matcher.threshold)))
    assert match.intent == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "老公喝醉了在家砸东西还要打我",
        "有人一路跟踪我到家门口",
        "我爸突然倒地不省人事",
        "有人掉进水里了",
        "我被传销组织控制了，手机被收了",
        "被人非法拘禁三天了",
        "工地塌了压着人",
        "我妈吃了一瓶药现在昏迷",
        "救人啊",
    ],
)
def test_danger_now_in_everyday_words_is_an_emergency(matcher, text):
    assert matcher.match(text).intent == "emergency"


@pytest.mark.parametrize("text", ["对非法拘禁或其他剥夺他人人身自由的行为应如何处罚", "他跳楼身亡了，保险公司赔不赔"])
def test_the_law_on_danger_or_a_death_told_of_is_no_alarm(matcher, text):
    assert matcher.match(text).intent != "emergency"


def test_a_gas_smell_at_home_is_an_emergency_but_a_gas_bill_is_not(matcher):
    assert matcher.match("煤改气以后家里全是天然气的味道，怎么办").intent == "emergency"
    assert matcher.match("燃气公司多收了我的燃气费").intent != "emergency"


def test_a_sentencing_question_tells_of_harm_done_unless_it_is_happening_now(matcher):
    assert matcher.match("我爸跟人争执把对方推倒晕过去了，这要判多久").intent == "criminal_case"
    assert matcher.match("他拿刀砍我，现在还在流血，他能判几年").intent == "emergency"


@pytest.mark.parametrize(
    "text, topic",
    [
        ("公司拖欠我三个月工资不给，我想申请法律援助", "wage_arrears"),
        ("楼上漏水把我家泡了，想申请人民调解", "neighbour_dispute"),
        ("被车撞了对方不赔钱，可以申请法律援助吗", "traffic_accident"),
    ],
)
def test_a_service_asked_for_a_problem_is_answered_by_the_topic_without_did_you_mean(matcher, text, topic):
    """The topic's answer covers the service, so a tie between them is no question to put back."""
    match = matcher.match(text)
    assert (match.intent, match.status) == (topic, MatchStatus.MATCHED)
