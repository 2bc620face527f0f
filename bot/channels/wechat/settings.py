"""The WeChat Official Account's credentials and tuning numbers, checked once at start-up.

The channel is on when ``LEGALBOT_WECHAT_TOKEN`` is set; it then needs the AppID and AppSecret
(the customer-service API sends the answers that take longer than WeChat waits), and
``LEGALBOT_WECHAT_AES_KEY`` for safe mode. Each value is checked against the form the WeChat
platform hands out, so a value pasted into the wrong variable stops the program with a message
naming it instead of every message failing later.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ...settings import SettingsError, http_url, read_env_file

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com"
TOKEN = re.compile(r"[A-Za-z0-9]{3,32}")  # the platform's rule for 令牌(Token): 3-32 letters or digits
APPID = re.compile(r"wx[0-9a-f]{16}")
SECRET = re.compile(r"[A-Za-z0-9]{32}")
AES_KEY = re.compile(r"[A-Za-z0-9+/]{43}")  # EncodingAESKey: 43 base64 characters, 32 bytes decoded


@dataclass(frozen=True)
class WeChatSettings:
    """What the WeChat channel needs; the tuning numbers have defaults that suit WeChat's rules."""

    token: str
    appid: str
    secret: str
    aes_key: str = ""  # empty: plaintext mode only
    api_base_url: str = DEFAULT_API_BASE_URL
    reply_budget: float = 4.0  # seconds to wait for a passive reply; WeChat gives up after 5
    max_text_bytes: int = 2047  # one text message, UTF-8 (WeChat truncates at 2048 bytes)
    max_messages: int = 3  # one answer in at most this many messages (after a menu click WeChat allows 3 a minute)
    max_body_bytes: int = 64 * 1024  # a POST larger than this is refused (WeChat's XML is a few hundred bytes)
    remember_seconds: float = 120.0  # how long a MsgId is remembered against WeChat's retries (3 tries, 5 s apart)
    token_refresh_margin: float = 300.0  # renew the access token this long before WeChat says it expires
    token_retry_seconds: float = 30.0  # after a failed renewal, try again this soon
    send_attempts: int = 3  # customer-service sends tried this often when the network fails
    http_timeout: float = 10.0  # seconds for one WeChat API call

    @property
    def safe_mode(self) -> bool:
        return bool(self.aes_key)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "WeChatSettings | None":
        """The settings, or None when ``LEGALBOT_WECHAT_TOKEN`` is not set (the channel is off)."""
        environ = os.environ if environ is None else environ
        merged = {**read_env_file(environ), **environ}
        get = lambda name: (merged.get(name) or "").strip()  # noqa: E731
        token = get("LEGALBOT_WECHAT_TOKEN")
        if not token:
            return None
        return cls(
            token=_checked("LEGALBOT_WECHAT_TOKEN", token, TOKEN, "3 到 32 位英文字母或数字（公众平台“服务器配置”里填写的令牌）", "3-32 letters or digits"),
            appid=_checked("LEGALBOT_WECHAT_APPID", get("LEGALBOT_WECHAT_APPID"), APPID, "wx 加 16 位十六进制小写字符（公众平台“基本配置”里的 AppID）", "wx followed by 16 hex digits"),
            secret=_checked("LEGALBOT_WECHAT_SECRET", get("LEGALBOT_WECHAT_SECRET"), SECRET, "32 位英文字母或数字（公众平台“基本配置”里的 AppSecret）", "32 letters or digits"),
            aes_key=aes_key("LEGALBOT_WECHAT_AES_KEY", get("LEGALBOT_WECHAT_AES_KEY")),
            api_base_url=http_url("WECHAT_API_BASE_URL", get("WECHAT_API_BASE_URL") or DEFAULT_API_BASE_URL).rstrip("/"),
        )


def _checked(name: str, value: str, pattern: re.Pattern[str], rule_zh: str, rule_en: str) -> str:
    if not value:
        raise SettingsError(f"已设置 LEGALBOT_WECHAT_TOKEN，还需要设置 {name}：{rule_zh}。 ({name} is required with LEGALBOT_WECHAT_TOKEN: {rule_en})")
    if not pattern.fullmatch(value):
        raise SettingsError(f"{name} 的格式不对，应为{rule_zh}，实际是 {len(value)} 个字符。 ({name} must be {rule_en})")
    return value


def aes_key(name: str, value: str) -> str:
    """The EncodingAESKey, or "" for plaintext mode; it must decode to the 32-byte AES key."""
    if not value:
        return ""
    try:
        ok = AES_KEY.fullmatch(value) is not None and len(base64.b64decode(value + "=", validate=True)) == 32
    except binascii.Error:
        ok = False
    if not ok:
        raise SettingsError(
            f"{name} 的格式不对：应为公众平台“服务器配置”里随机生成的 43 位消息加解密密钥（EncodingAESKey），实际是 {len(value)} 个字符。"
            f" ({name} must be the 43-character EncodingAESKey)"
        )
    return value
