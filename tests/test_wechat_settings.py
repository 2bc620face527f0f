"""WeChat settings as an administrator writes them: the channel is off without a token, and every
value pasted into the wrong variable stops start-up with a message naming the variable."""

from __future__ import annotations

import pytest

from bot.channels.wechat import WeChatSettings
from bot.channels.wechat.settings import DEFAULT_API_BASE_URL
from bot.settings import SettingsError

from . import fake_wechat

GOOD = {
    "LEGALBOT_ENV_FILE": "/dev/null",
    "LEGALBOT_WECHAT_TOKEN": fake_wechat.TOKEN,
    "LEGALBOT_WECHAT_APPID": fake_wechat.APPID,
    "LEGALBOT_WECHAT_SECRET": fake_wechat.SECRET,
}


def test_without_a_token_the_channel_is_off():
    assert WeChatSettings.from_env({"LEGALBOT_ENV_FILE": "/dev/null", "LEGALBOT_WECHAT_APPID": fake_wechat.APPID}) is None


def test_plaintext_mode_with_the_default_api():
    settings = WeChatSettings.from_env(GOOD)
    assert (settings.token, settings.appid, settings.secret) == (fake_wechat.TOKEN, fake_wechat.APPID, fake_wechat.SECRET)
    assert not settings.safe_mode and settings.api_base_url == DEFAULT_API_BASE_URL


def test_safe_mode_and_another_api_base():
    settings = WeChatSettings.from_env({**GOOD, "LEGALBOT_WECHAT_AES_KEY": fake_wechat.AES_KEY, "WECHAT_API_BASE_URL": "http://127.0.0.1:9/"})
    assert settings.safe_mode and settings.api_base_url == "http://127.0.0.1:9"


def test_values_come_from_the_env_file_too(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in GOOD.items() if k != "LEGALBOT_ENV_FILE"))
    assert WeChatSettings.from_env({"LEGALBOT_ENV_FILE": str(env_file)}).appid == fake_wechat.APPID


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LEGALBOT_WECHAT_TOKEN", "a b"),
        ("LEGALBOT_WECHAT_TOKEN", "x" * 33),
        ("LEGALBOT_WECHAT_APPID", ""),
        ("LEGALBOT_WECHAT_APPID", "wx0123"),
        ("LEGALBOT_WECHAT_APPID", fake_wechat.SECRET),  # the secret pasted as the AppID
        ("LEGALBOT_WECHAT_SECRET", ""),
        ("LEGALBOT_WECHAT_SECRET", fake_wechat.APPID),
        ("LEGALBOT_WECHAT_AES_KEY", fake_wechat.AES_KEY[:-1]),
        ("LEGALBOT_WECHAT_AES_KEY", fake_wechat.AES_KEY[:-1] + "!"),
        ("WECHAT_API_BASE_URL", "api.weixin.qq.com"),
        ("WECHAT_API_BASE_URL", "htps://api.weixin.qq.com"),
    ],
)
def test_a_bad_value_names_its_variable(name, value):
    with pytest.raises(SettingsError) as caught:
        WeChatSettings.from_env({**GOOD, name: value})
    assert name in str(caught.value)
    if name != "WECHAT_API_BASE_URL":  # the shared URL check already words its message in Chinese
        assert "(" + name in str(caught.value)  # and in English
    assert fake_wechat.SECRET not in str(caught.value)  # a secret is never echoed

