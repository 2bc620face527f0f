"""`/eligibility`, the legal-aid pre-check, driven by button presses through the Responder."""

import json
from dataclasses import dataclass

import pytest

from bot.core.reply import Reply, ReplyKind
from bot.core.responder import FLOW_STOPPED, Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.flows.legal_aid_check import replay

PREFIX = "flow:eligibility:"
ART32 = {"abuse", "brave", "martyr", "acquitted"}
LIKELY, POSSIBLE, UNLIKELY = "很可能符合", "可能符合", "可能不符合"


@dataclass
class Path:
    answers: list[tuple[str, str, str]]  # (step, code, label) in the order pressed
    questions: list[Reply]
    result: Reply

    @property
    def codes(self) -> dict[str, str]:
        return {step: code for step, code, _ in self.answers}


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def answer_buttons(reply: Reply) -> list[tuple[str, str, str]]:
    found = []
    for button in reply.flat_buttons:
        payload = button.action.encode().removeprefix(PREFIX)
        if button.action.encode().startswith(PREFIX) and payload not in ("back", "stop"):
            step, code = payload.split(":")
            found.append((step, code, button.label))
    return found


def stored(session: Session) -> Session:
    """The session as a database would give it back between two messages."""
    return Session.from_dict(json.loads(json.dumps(session.to_dict())))


def all_paths(responder: Responder) -> list[Path]:
    paths = []

    def walk(session: Session, reply: Reply, answers: list, questions: list) -> None:
        choices = answer_buttons(reply)
        if not choices:
            paths.append(Path(answers, questions, reply))
            return
        for step, code, label in choices:
            branch = stored(session)
            walk(branch, responder.press(f"{PREFIX}{step}:{code}", branch), [*answers, (step, code, label)], [*questions, reply])

    session = Session()
    walk(session, responder.command("eligibility", "", session), [], [])
    return paths


@pytest.fixture(scope="module")
def paths(responder) -> list[Path]:
    return all_paths(responder)


def expected_verdict(a: dict[str, str]) -> str:
    """The rules of 法律援助法 Art. 31, 32 and 42 as the pre-check should apply them."""
    if a["m"] == "other":
        return UNLIKELY
    if a["m"] in ART32 or a.get("s") == "yes":
        return LIKELY
    if a.get("a") == "yes" or a.get("d") == "yes":
        return UNLIKELY
    if a["g"] != "none":
        return LIKELY
    return {"poor": LIKELY, "unsure": POSSIBLE, "afford": UNLIKELY}[a["f"]]


def test_there_are_many_paths_covering_every_matter_and_verdict(paths):
    assert len(paths) > 50
    first_question = paths[0].questions[0]
    assert {code for _, code, _ in answer_buttons(first_question)} == {p.codes["m"] for p in paths}
    assert {expected_verdict(p.codes) for p in paths} == {LIKELY, POSSIBLE, UNLIKELY}


def test_every_path_ends_within_six_answers_with_the_right_result(paths):
    for path in paths:
        result, codes = path.result, path.codes
        assert 1 <= len(path.answers) <= 6, path.answers
        # An answer like any guidance: logged under legal_aid and rated 👍/👎; the steps before it are not logged.
        assert result.kind is ReplyKind.ANSWER and result.intent == "legal_aid" and result.wants_feedback, codes
        assert result.text.startswith(f"【法律援助自测结果：{expected_verdict(codes)}条件】"), codes
        for article in ("第三十八条", "第四十三条", "第四十四条", "第四十九条"):
            assert article in result.text, (codes, article)
        assert "12348" in result.text and "不是法律援助机构的决定" in result.text
        assert "身份证件" in result.text
        assert {b.label for b in result.flat_buttons} == {"重新自测", "法律援助怎么申请"}


def test_every_question_can_be_left_and_all_but_the_first_undone(paths):
    for path in paths:
        for number, question in enumerate(path.questions):
            labels = [b.label for b in question.flat_buttons]
            assert labels[-1] == "退出"
            assert ("返回上一步" in labels) == (number > 0)
            assert question.kind is ReplyKind.FLOW and question.intent is None
            assert all(len(b.action.encode().encode()) <= 64 for b in question.flat_buttons)


def test_each_verdict_cites_the_article_it_rests_on(paths):
    for path in paths:
        codes, why = path.codes, path.result.text.split("为什么：")[1].split("\n")[0]
        if codes["m"] in ART32:
            assert "第三十二条" in why and "不受经济困难条件的限制" in why
        elif codes["m"] not in ("criminal", "other"):
            assert "第三十一条" in why
        if codes.get("g") not in (None, "none"):
            assert "第四十二条" in why and "免予核查" in why
        if codes.get("f") in ("poor", "unsure"):
            assert "第四十一条" in why


def test_no_hardship_certificate_is_ever_required(paths):
    for path in paths:
        text = path.result.text
        assert text.count("经济困难证明") == text.count("不需要开“经济困难证明”")
        if path.codes.get("g", "none") == "none" and path.codes["m"] not in ART32:
            assert "个人诚信承诺" in text and "第四十一条" in text


def test_migrant_workers_are_offered_the_exemption_only_for_wages_and_work_injury(paths):
    for path in paths:
        for question in path.questions:
            if any(step == "g" for step, _, _ in answer_buttons(question)):
                offered = any(code == "migrant" for _, code, _ in answer_buttons(question))
                assert offered == (path.codes["m"] in ("wage", "injury")), path.codes


def test_a_deadline_within_seven_days_leads_with_immediate_aid(paths):
    urgent = [p for p in paths if p.codes.get("u") == "yes"]
    assert urgent
    for path in urgent:
        second_paragraph = path.result.text.split("\n\n")[1]
        assert "先行提供法律援助" in second_paragraph and "第四十四条" in second_paragraph


def test_criminal_results_explain_assigned_lawyers_and_family_applications(paths):
    criminal = [p for p in paths if p.codes["m"] == "criminal"]
    assert criminal
    for path in criminal:
        text = path.result.text
        assert "未成年人" in text and "盲、聋、哑人" in text and "无期徒刑、死刑" in text
        assert "不用自己申请" in text and "近亲属" in text
        assert "公安机关、人民检察院或人民法院" in text


def test_civil_results_say_where_to_apply_with_or_without_a_lawsuit(paths):
    for path in paths:
        if path.codes["m"] != "criminal":
            assert "办案机关" in path.result.text and "事情发生地" in path.result.text


def test_migrant_worker_claiming_wages_is_likely_eligible_without_an_economic_check(responder):
    session = Session()
    responder.command("eligibility", "", session)
    for action in ("m:wage", "a:no", "g:migrant", "u:no"):
        reply = responder.press(PREFIX + action, session)
    assert reply.text.startswith("【法律援助自测结果：很可能符合条件】")
    assert "进城务工人员" in reply.text and "免予核查经济困难状况（第四十二条）" in reply.text
    assert session.flow is None


def test_typed_labels_answer_and_other_text_is_a_new_question(responder):
    session = Session()
    responder.command("eligibility", "", session)
    assert "委托" in responder.respond("工伤赔偿", session).text
    assert "需要法律援助的人是否属于" in responder.respond("还没有", session).text
    assert session.state == {"answers": [["m", "injury"], ["a", "no"]]}
    reply = responder.respond("邻居纠纷找谁调解", session)
    assert session.flow is None and reply.kind is not ReplyKind.FLOW


def test_back_undoes_the_last_answer(responder):
    session = Session()
    first = responder.command("eligibility", "", session)
    responder.press(PREFIX + "m:criminal", session)
    responder.press(PREFIX + "s:no", session)
    back = responder.press(PREFIX + "back", session)
    assert "被追究刑事责任的人" in back.text
    assert session.state == {"answers": [["m", "criminal"]]}
    assert responder.press(PREFIX + "back", session).text == first.text.split("\n\n", 1)[1]
    assert session.state == {"answers": []}
    assert "7日内" in responder.press(PREFIX + "m:abuse", session).text
    result = responder.respond("没有或不清楚", session)
    assert result.text.startswith("【法律援助自测结果：很可能符合条件】")


def test_back_by_typing_the_label(responder):
    session = Session()
    responder.command("eligibility", "", session)
    responder.press(PREFIX + "m:support", session)
    assert "您想为哪类事情" in responder.respond("返回上一步", session).text


def test_stop_button_and_stop_word(responder):
    session = Session()
    responder.command("eligibility", "", session)
    responder.press(PREFIX + "m:wage", session)
    assert responder.press(PREFIX + "stop", session).text == FLOW_STOPPED
    assert session.flow is None and session.state == {}
    responder.command("eligibility", "", session)
    assert responder.respond("不问了", session).text == FLOW_STOPPED


def test_a_stale_button_asks_the_current_question_again(responder):
    session = Session()
    responder.command("eligibility", "", session)
    responder.press(PREFIX + "m:wage", session)
    reply = responder.press(PREFIX + "m:criminal", session)  # from the first message
    assert "这个按钮已经过期" in reply.text and "委托" in reply.text
    assert session.state == {"answers": [["m", "wage"]]}


def test_abandoned_check_expires(responder):
    session = Session()
    responder.command("eligibility", "", session, now=1000.0)
    responder.press(PREFIX + "m:wage", session, now=1010.0)
    later = 1010.0 + 24 * 3600
    reply = responder.respond("还没有", session, now=later)
    assert session.flow is None and not reply.text.startswith("需要法律援助的人")
    restarted = responder.press(PREFIX + "a:no", session, now=later + 1)  # an old button: starts afresh
    assert "您想为哪类事情" in restarted.text and session.state == {"answers": []}


def test_the_legal_aid_guidance_offers_the_check(responder):
    guidance = responder.press("intent:legal_aid", Session())
    button = next(b for b in guidance.flat_buttons if str(b.action) == "flow:eligibility")
    assert button.label == "法律援助自测"
    session = Session()
    assert "您想为哪类事情" in responder.press(button.action, session).text


def test_stored_answers_from_an_older_version_are_not_trusted():
    assert replay([["m", "wage"], ["a", "no"]]) == {"m": "wage", "a": "no"}
    assert replay([["m", "wage"], ["g", "none"]]) == {"m": "wage"}  # out of order
    assert replay([["m", "lottery"], ["a", "no"]]) == {}  # unknown matter
    assert replay([["m", "accident"], ["a", "no"], ["g", "migrant"]]) == {"m": "accident", "a": "no"}
    assert replay(["m:wage"]) == {}
