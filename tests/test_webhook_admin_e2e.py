"""End to end: the admin commands through one real `legalbot serve` webhook worker (SQLite).

The polling suite's admin tests, unchanged (imported below, run with this module's fixtures): an
admin sees the same /stats, /unmatched, /reload, /export and automatic reloads from a worker.
"""

from __future__ import annotations

import shutil

import pytest

from .conftest import INTENTS
from .test_telegram_admin_e2e import (  # noqa: F401 - collected here, run against the webhook worker
    ADMIN,
    test_a_broken_edit_is_reported_with_its_file_and_residents_keep_the_last_good_set,
    test_a_guidance_longer_than_telegrams_limit_arrives_in_parts_with_buttons_last,
    test_a_resident_pressing_an_admin_button_gets_nothing,
    test_admin_commands_are_listed_for_admins_only,
    test_admin_export_sends_a_csv_document_with_redacted_text,
    test_admin_stats_sends_figures_and_a_chart,
    test_dismiss_takes_a_question_out_of_the_list,
    test_intent_files_are_reloaded_automatically_when_they_change,
    test_reload_picks_up_an_edit,
    test_residents_get_a_polite_not_available_and_nothing_else,
    test_unmatched_lists_the_question_and_accept_teaches_the_bot,
    test_the_bot_logged_no_traceback_and_stops_cleanly,
)
from .workers import webhook_worker

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def bot(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("admin-worker")
    intents = folder / "intents"
    shutil.copytree(INTENTS, intents)
    with webhook_worker(api, folder, "--intents", str(intents), LEGALBOT_ADMIN_IDS=f"{ADMIN}, 12345") as worker:
        yield {**worker, "intents": intents}
