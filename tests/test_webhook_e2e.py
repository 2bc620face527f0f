"""End to end: one real `legalbot serve` webhook worker (SQLite) behind the stand-in Bot API's webhook delivery.

Residents must see exactly what they see from `legalbot run`, so the polling suite's tests run here
again, unchanged, against the worker (imported below: pytest runs them with this module's `api` and
`bot`). Two polling tests are left out on purpose: flood control counts in fixed windows here (its
own test below), and SIGTERM is about updates in hand rather than fetched (also below). Then what
only a webhook has: the secret, the health check, re-deliveries.
"""

from __future__ import annotations

import signal
import time

import pytest

from .test_telegram_e2e import (  # noqa: F401 - collected here, run against the webhook worker
    export,
    feedback_buttons,
    test_400_messages_from_40_users_are_all_answered_exactly_once,
    test_a_6000_character_message_is_answered_within_telegram_limits,
    test_a_429_is_retried_after_retry_after_and_delivered_once,
    test_a_question_gets_guidance_with_feedback_and_thumbs_up_is_recorded,
    test_a_user_who_blocked_the_bot_does_not_stop_it_answering_others,
    test_commands_are_registered_with_telegram,
    test_edited_messages_and_channel_posts_are_ignored_without_harm,
    test_emergency_is_answered_with_110_first,
    test_flow_commands_and_buttons_reach_the_guided_flows,
    test_help_and_menu_commands_show_the_menu,
    test_html_in_questions_is_escaped_not_interpreted,
    test_in_groups_only_messages_addressed_to_the_bot_are_answered,
    test_no_match_gets_the_polite_fallback_naming_12348_and_the_menu,
    test_non_text_messages_get_a_note_that_the_bot_reads_text,
    test_phone_and_id_numbers_never_reach_the_log_or_the_export,
    test_start_shows_the_menu_and_each_service_button_answers_with_its_guidance,
)
from .workers import SECRET, WEBHOOK_PATH, http, post_update, webhook_worker

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def bot(api, tmp_path_factory):
    with webhook_worker(api, tmp_path_factory.mktemp("worker")) as worker:
        yield worker


def test_requests_without_the_secret_are_refused_and_change_nothing(api, bot):
    update = {"update_id": 900_001, "message": {"message_id": 1, "date": 0, "chat": {"id": 301, "type": "private"}, "from": api.user(301), "text": "/start"}}
    assert post_update(bot["url"] + WEBHOOK_PATH, update, secret=None) == 403
    assert post_update(bot["url"] + WEBHOOK_PATH, update, secret="wrong-" + SECRET) == 403
    assert http("GET", bot["url"] + WEBHOOK_PATH)[0] == 405
    assert post_update(bot["url"] + WEBHOOK_PATH, {"not": "an update"}) == 400
    time.sleep(0.3)
    assert not api.sent(301)


def test_healthz_reports_database_and_intents(api, bot):
    status, _, body = http("GET", bot["url"] + "/healthz")
    assert status == 200
    assert b'"database":"ok"' in body and b'"intents":' in body


def test_a_redelivered_update_is_answered_and_logged_once(api, bot):
    update = api.send_text(302, "公证处怎么办理公证（重发）")
    first = api.wait_message(302)
    assert post_update(bot["url"] + WEBHOOK_PATH, update) == 200, "a duplicate is acknowledged, so Telegram stops"
    time.sleep(0.5)
    assert len(api.sent(302)) == 1
    assert [r["text"] for r in export(bot["db"])].count("公证处怎么办理公证（重发）") == 1
    assert feedback_buttons(first), "the first answer carried its 👍/👎"


def test_a_flooding_user_gets_a_note_and_does_not_starve_others(api, bot):
    for n in range(40):
        api.send_text(303, f"法律援助{n}")
    api.send_text(304, "公证怎么办")
    assert "公证" in api.wait_message(304, timeout=15).text
    api.wait_for(lambda: any("太快" in c.text for c in api.sent(303)), timeout=15, what="the flood note")
    api.wait_for(api.confirmed_all, timeout=20, what="all 40 delivered")
    time.sleep(0.5)
    sent = api.sent(303)
    notes = sum("太快" in c.text for c in sent)
    # 20 a window of 20 s: one note, 20 answered — or, when the flood straddles two windows, two of each at most.
    assert 1 <= notes <= 2 and 20 <= len(sent) - notes <= 40 - notes and len(sent) - notes <= 20 * notes


def test_sigterm_finishes_the_updates_in_hand_and_exits_0(api, bot):
    users = range(7000, 7060)  # twice the send budget's burst: half of them wait for tokens in the worker
    updates = {api.send_text(user, f"法律援助怎么申请（终{user}）")["update_id"]: user for user in users}
    api.wait_for(lambda: any(api.sent(u) for u in users), what="the first answers")
    bot["process"].send_signal(signal.SIGTERM)
    assert bot["process"].wait(30) == 0, bot["log"].read_text()[-2000:]
    taken = {updates[d.update_id] for d in api.deliveries if d.ok and d.update_id in updates}
    answered = {u for u in users if api.sent(u)}
    assert taken == answered, "every update the worker took in was answered before it exited, and only those"
    assert len(answered) > 30, "updates still waiting for the send budget at SIGTERM were finished too"
    logged = [r["text"] for r in export(bot["db"]) if "（终" in r["text"]]
    assert sorted(logged) == sorted(f"法律援助怎么申请（终{u}）" for u in answered), "each answered message logged once"
    assert "Traceback" not in bot["log"].read_text()
