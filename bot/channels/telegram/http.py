"""PTB's network layer on aiohttp instead of httpx, and a lean sendMessage: less CPU per reply.

Measured with `benchmarks/bench_telegram.py`: the bot makes at least one Bot API request per
message (sendMessage, plus getUpdates when traffic is light), and httpx + httpcore cost about
2.5 ms of CPU per request on our machines against about 0.8 ms for aiohttp. The wire format is
PTB's own: parameters form-encoded (`RequestData.json_parameters`, objects as JSON strings), uploads
(sendDocument, sendPhoto) as multipart/form-data — so any Bot API server that serves PTB's default
client, self-hosted or a test double, serves this one too.

PTB's contract (`BaseRequest`): return the HTTP status and body; raise `TimedOut` for timeouts
and `NetworkError` for transport failures. Everything above (JSON parsing, 4xx/5xx → PTB
errors, rate limiting, retries) stays PTB's.

`LeanBot.send_html` sends a reply without turning Telegram's echo of it into a `Message`
object, which the adapter never reads (about 0.6 ms of CPU per reply in the benchmark).

`LeanBot.get_updates` hands what Telegram returned to the durable intake (`durable.Intake.admit`)
before PTB sees it, skips updates PTB cannot read instead of failing the whole batch (PTB would
fetch the same batch for ever), and keeps its own offset past every update fetched.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from telegram import InlineKeyboardMarkup, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

DEFAULT = BaseRequest.DEFAULT_NONE
FORM_HEADERS = {"User-Agent": BaseRequest.USER_AGENT}  # aiohttp sets the form content type


def _value(given: object, default: float | None) -> float | None:
    return default if given is DEFAULT else given  # type: ignore[return-value]


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` over one `aiohttp.ClientSession` with a bounded connection pool."""

    def __init__(
        self,
        connection_pool_size: int = 8,
        proxy: str | None = None,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 30.0,
        media_write_timeout: float | None = 20.0,
    ):
        self._pool_size = connection_pool_size
        self._proxy = proxy or None
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._pool_size))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = DEFAULT,  # type: ignore[assignment]
        write_timeout: float | None = DEFAULT,  # type: ignore[assignment]
        connect_timeout: float | None = DEFAULT,  # type: ignore[assignment]
        pool_timeout: float | None = DEFAULT,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        uploading = bool(request_data and request_data.contains_files)
        write = _value(write_timeout, self._media_write_timeout if uploading else self._write_timeout)
        read = _value(read_timeout, self._read_timeout)
        # aiohttp has no separate write timeout: the request may take write + read in all.
        total = None if read is None or write is None else read + write
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=_value(pool_timeout, self._pool_timeout),  # waiting for a pooled connection
            sock_connect=_value(connect_timeout, self._connect_timeout),
            sock_read=read,
        )
        if uploading:
            body: aiohttp.FormData | dict[str, str] = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():  # type: ignore[union-attr]
                body.add_field(name, value)
            for name, (filename, content, mimetype) in request_data.multipart_data.items():  # type: ignore[union-attr]
                body.add_field(name, content, filename=filename, content_type=mimetype)
            headers = {"User-Agent": self.USER_AGENT}
        else:
            body = request_data.json_parameters if request_data else {}  # type: ignore[assignment]
            headers = FORM_HEADERS
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout, proxy=self._proxy) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as exc:
            raise TimedOut(f"Timed out talking to the Bot API ({method} {url.rsplit('/', 1)[-1]})") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


@dataclass
class PollState:
    """What `LeanBot.get_updates` keeps between calls: the intake (set by the polling bot) and the
    offset past every update fetched, readable or not."""

    intake: Any = None  # durable.Intake
    next_offset: int = 0


class LeanBot(ExtBot):
    """PTB's `ExtBot` (defaults, rate limiter, retries) plus `send_html` for the hot path and a
    `get_updates` that writes to the intake first (``polling.intake``, set by the polling bot)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        with self._unfrozen():  # PTB freezes its objects after __init__
            self.polling = PollState()

    async def get_updates(  # type: ignore[override]
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: dt.timedelta | float | None = None,
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: Any = DEFAULT,
        write_timeout: Any = DEFAULT,
        connect_timeout: Any = DEFAULT,
        pool_timeout: Any = DEFAULT,
        api_kwargs: dict | None = None,
    ) -> tuple[Update, ...]:
        """As PTB's, with the intake written before returning (see the module docstring)."""
        from .durable import read_updates, update_id_of  # noqa: PLC0415 - durable imports this module

        seconds = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else (timeout or 0)
        base = self._request[0].read_timeout if read_timeout is DEFAULT else read_timeout
        state = self.polling
        data = {"timeout": timeout, "offset": max(offset or 0, state.next_offset) or None, "limit": limit, "allowed_updates": allowed_updates}
        raw = await self._post(
            "getUpdates",
            data,
            read_timeout=(base or 0) + seconds,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        raw = raw if isinstance(raw, list) else []
        ids = [uid for item in raw if (uid := update_id_of(item)) is not None]
        if ids:
            state.next_offset = max(state.next_offset, max(ids) + 1)
        if state.intake is not None:
            return tuple(await state.intake.admit(raw, self))
        return tuple(read_updates(raw, self)[0])

    async def send_html(
        self,
        chat_id: int,
        html: str,
        reply_markup: InlineKeyboardMarkup | dict | None = None,
        reply_parameters: ReplyParameters | None = None,
        rate_limit_args: object | None = None,
    ) -> dict:
        """sendMessage with HTML text; returns Telegram's raw result instead of a `Message`.

        ``reply_markup`` may be PTB's object or the Bot API's JSON as a dict; ``rate_limit_args``
        go to the rate limiter, as with PTB's own methods (`ratelimit.BeforeSend`).

        Goes through `_post` like every PTB method (defaults, rate limiter, error mapping);
        `_post` is PTB-internal, hence the pin to python-telegram-bot 22.x in pyproject.
        """
        data = {
            "chat_id": chat_id,
            "text": html,
            "parse_mode": ParseMode.HTML,
            "reply_markup": reply_markup,
            "reply_parameters": reply_parameters,
        }
        return await self._post("sendMessage", data, api_kwargs=self._merge_api_rl_kwargs(None, rate_limit_args))
