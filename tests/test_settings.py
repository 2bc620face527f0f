"""Settings are read strictly: a value that could be misread stops start-up, naming the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import DEFAULT_SEND_RATE, Settings, SettingsError

from .conftest import INTENTS, run_cli


def settings(**values: str) -> Settings:
    return Settings.from_env({"LEGALBOT_ENV_FILE": os.devnull, **values})


@pytest.mark.parametrize(
    "value",
    ["999 1000", "999,1000", "999, 1000", " 999 ,1000 ", "999\t1000", "999 ,  1000"],
)
def test_admin_ids_by_commas_spaces_or_both(value: str) -> None:
    assert settings(LEGALBOT_ADMIN_IDS=value).admin_ids == {999, 1000}


def test_no_admin_ids_is_no_admins() -> None:
    assert settings().admin_ids == frozenset()
    assert settings(LEGALBOT_ADMIN_IDS="  ").admin_ids == frozenset()


@pytest.mark.parametrize(
    "value",
    ["999;1000", "abc", "999,,1000", "999,", ",999", "-5", "0", "1_000", "９９９", "999.0", "0x3e7", str(2**60)],
)
def test_admin_ids_anything_else_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="LEGALBOT_ADMIN_IDS") as caught:
        settings(LEGALBOT_ADMIN_IDS=value)
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LEGALBOT_RETENTION_DAYS", "-1"),
        ("LEGALBOT_RETENTION_DAYS", "30d"),
        ("LEGALBOT_RETENTION_DAYS", "1e3"),
        ("LEGALBOT_RETENTION_DAYS", "99999999"),
        ("LEGALBOT_SEND_RATE", "0"),
        ("LEGALBOT_SEND_RATE", "-3"),
        ("LEGALBOT_SEND_RATE", "nan"),
        ("LEGALBOT_SEND_RATE", "inf"),
        ("LEGALBOT_SEND_RATE", "30/s"),
        ("LEGALBOT_SEND_RATE", "1000000"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
        ("TELEGRAM_API_BASE_URL", "htps://api.telegram.org/bot"),
        ("TELEGRAM_API_BASE_URL", "ftp://api.telegram.org/bot"),
        ("TELEGRAM_API_BASE_URL", "http://"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:port/bot"),
        ("LEGALBOT_PROXY", "127.0.0.1:7890"),
        ("LEGALBOT_PROXY", "http//127.0.0.1:7890"),
        ("HTTPS_PROXY", "proxy.example:3128"),
        ("LEGALBOT_DB", "mysql://db.example/legal"),
        ("LEGALBOT_DB", "postgresql://user@db.example"),
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("TELEGRAM_BOT_TOKEN", "123456:ABC DEF"),
        ("LEGALBOT_WEBHOOK_SECRET", "not allowed!"),
        ("LEGALBOT_INTENTS", "/no/such/intents"),
    ],
)
def test_every_setting_is_checked_and_the_message_names_it(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings(**{name: value})
    assert name in str(caught.value)


def test_good_values_are_kept() -> None:
    got = settings(
        TELEGRAM_BOT_TOKEN="123456789:AAE-x_y",
        TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot",
        LEGALBOT_PROXY="http://127.0.0.1:7890",
        LEGALBOT_DB="postgresql://bot:pw@db.example:5432/legal",
        LEGALBOT_INTENTS=str(INTENTS),
        LEGALBOT_RETENTION_DAYS="180",
        LEGALBOT_SEND_RATE="2.5",
        LEGALBOT_WEBHOOK_SECRET="s3cret_-x",
    )
    assert (got.telegram_token, got.api_base_url, got.proxy_url) == ("123456789:AAE-x_y", "http://127.0.0.1:8081/bot", "http://127.0.0.1:7890")
    assert (got.db, got.intents_dir, got.retention_days, got.send_rate) == ("postgresql://bot:pw@db.example:5432/legal", INTENTS, 180, 2.5)


def test_defaults_need_nothing() -> None:
    got = settings()
    assert (got.telegram_token, got.retention_days, got.send_rate, got.proxy_url) == ("", 0, DEFAULT_SEND_RATE, "")


def test_a_socks_proxy_passes_here_so_the_bot_can_explain_it() -> None:
    assert settings(LEGALBOT_PROXY="socks5://127.0.0.1:1080").proxy_url == "socks5://127.0.0.1:1080"


def test_a_proxy_password_is_not_repeated_in_the_message() -> None:
    with pytest.raises(SettingsError) as caught:
        settings(LEGALBOT_PROXY="htp://user:hunter2@127.0.0.1:7890")
    assert "hunter2" not in str(caught.value)


def test_env_file_values_are_checked_too_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / "bot.env"
    env_file.write_text("LEGALBOT_ADMIN_IDS=999 1000\nLEGALBOT_RETENTION_DAYS=soon\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="LEGALBOT_RETENTION_DAYS"):
        Settings.from_env({"LEGALBOT_ENV_FILE": str(env_file)})
    got = Settings.from_env({"LEGALBOT_ENV_FILE": str(env_file), "LEGALBOT_RETENTION_DAYS": "7"})
    assert (got.admin_ids, got.retention_days) == ({999, 1000}, 7)


def test_a_named_env_file_that_is_missing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="LEGALBOT_ENV_FILE"):
        Settings.from_env({"LEGALBOT_ENV_FILE": str(tmp_path / "missing.env")})


@pytest.mark.parametrize("command", [["run"], ["chat"], ["inquiries", "stats"]])
def test_start_up_stops_with_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    env = {"LEGALBOT_ENV_FILE": os.devnull, "TELEGRAM_BOT_TOKEN": "123:ABC", "LEGALBOT_ADMIN_IDS": "999;1000", "LEGALBOT_DB": str(tmp_path / "log.sqlite3")}
    result = run_cli(*command, stdin="", env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "legalbot: LEGALBOT_ADMIN_IDS 必须是用逗号或空格分隔的 Telegram 用户 id（如 999,1000 或 999 1000），实际是 '999;1000'"
    ]
    assert not (tmp_path / "log.sqlite3").exists()
