"""The two WeChat API calls the channel makes: the access token, and customer-service text messages.

An answer that is not ready within WeChat's five seconds, and the parts of a long answer after
the first, go through ``POST /cgi-bin/message/custom/send``. It needs an access token
(``GET /cgi-bin/token``, valid for ``expires_in`` seconds, about two hours): `keep_fresh`
renews it before it expires, and a send that WeChat refuses because the token is no longer
valid (40001, 40014, 42001: another process fetched a new one, or WeChat revoked it) renews it
once and tries again.

One access token serves the whole Official Account, and fetching a new one ends the old one
five minutes later; workers on several machines each keep their own here, which works (a
refused send renews and retries) but costs token calls. WeChat's advice for many servers is one
central token service; point ``WECHAT_API_BASE_URL`` at it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .settings import WeChatSettings

logger = logging.getLogger(__name__)

STALE_TOKEN_CODES = frozenset({40001, 40014, 42001})  # invalid credential, invalid token, token expired
TOKEN_ERRORS = {  # what an administrator should do about WeChat's refusals of the token call
    40013: "AppID 无效：请检查 LEGALBOT_WECHAT_APPID",
    40125: "AppSecret 无效：请检查 LEGALBOT_WECHAT_SECRET（在公众平台“基本配置”里重置后要同步更新）",
    40164: "本服务器的出口 IP 不在公众平台“基本配置 → IP 白名单”里",
    89503: "本服务器的出口 IP 调用需要管理员在公众平台确认",
}
SEND_RETRY_SECONDS = 1.0  # after a network failure, the next attempt waits this long (doubling)


class WeChatAPIError(Exception):
    """WeChat answered a call with an ``errcode``."""

    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode


@dataclass
class WeChatAPI:
    """Access token and customer-service sends for one Official Account."""

    settings: WeChatSettings
    clock: Any = time.monotonic
    _session: aiohttp.ClientSession | None = None
    _token: str = ""
    _expires_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.settings.http_timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def _fresh(self) -> bool:
        return bool(self._token) and self.clock() < self._expires_at - self.settings.token_refresh_margin

    async def access_token(self) -> str:
        return self._token if self._fresh else await self.refresh(self._token)

    async def refresh(self, stale: str) -> str:
        """A new token, unless another caller already replaced ``stale`` while this one waited."""
        async with self._lock:
            if self._token != stale and self._fresh:
                return self._token
            data = await self._call("GET", "/cgi-bin/token", params={
                "grant_type": "client_credential", "appid": self.settings.appid, "secret": self.settings.secret,
            })
            token, lifetime = data.get("access_token"), data.get("expires_in")
            if not isinstance(token, str) or not token or not isinstance(lifetime, int) or lifetime <= 0:
                raise WeChatAPIError(-1, f"unexpected token response {sorted(data)}")
            self._token, self._expires_at = token, self.clock() + lifetime
            logger.info("WeChat access token renewed; valid for %d s", lifetime)
            return token

    async def keep_fresh(self) -> None:
        """Renew the token before it expires, for ever (run it as a task; cancel it to stop)."""
        while True:
            try:
                await self.access_token()
                wait = self._expires_at - self.settings.token_refresh_margin - self.clock()
            except (WeChatAPIError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
                _log_token_failure(exc)
                wait = self.settings.token_retry_seconds
            await asyncio.sleep(max(wait, 1.0))

    async def send_text(self, openid: str, content: str) -> None:
        """One customer-service text message. Raises `WeChatAPIError` or `aiohttp.ClientError`."""
        body = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode("utf-8")
        renewed, failures = False, 0
        while True:
            token = await self.access_token()
            try:
                await self._call("POST", "/cgi-bin/message/custom/send", params={"access_token": token}, data=body)
                return
            except WeChatAPIError as exc:
                if exc.errcode not in STALE_TOKEN_CODES or renewed:
                    raise
                logger.info("WeChat refused the access token (%s); renewing it once", exc)
                renewed = True
                await self.refresh(token)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                failures += 1
                if failures >= self.settings.send_attempts:
                    raise
                await asyncio.sleep(SEND_RETRY_SECONDS * 2 ** (failures - 1))

    async def _call(self, method: str, path: str, params: dict[str, str], data: bytes | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        url = self.settings.api_base_url + path
        async with self._http().request(method, url, params=params, data=data, headers=headers) as response:
            response.raise_for_status()
            payload = json.loads(await response.read())
        if not isinstance(payload, dict):
            raise WeChatAPIError(-1, "response is not a JSON object")
        if payload.get("errcode", 0) != 0:
            raise WeChatAPIError(int(payload["errcode"]), str(payload.get("errmsg", "")))
        return payload


def _log_token_failure(exc: Exception) -> None:
    advice = TOKEN_ERRORS.get(exc.errcode, "") if isinstance(exc, WeChatAPIError) else ""
    logger.error("无法获取微信 access_token（%s）%s；超过 5 秒的回答暂时发不出去", exc, "：" + advice if advice else "")
