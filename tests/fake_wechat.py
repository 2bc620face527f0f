"""A stand-in for WeChat on 127.0.0.1, for the WeChat channel's tests (and any multi-worker test).

Two sides, as the real platform has them:

- the API the bot calls, served by aiohttp in a background thread (point ``WECHAT_API_BASE_URL``
  at ``wechat.base_url``): ``GET /cgi-bin/token`` hands out access tokens for the right AppID and
  AppSecret, ``POST /cgi-bin/message/custom/send`` takes customer-service text messages and
  refuses a token that is not the current one with errcode 40001. Every call is recorded
  (``token_calls``, ``sent``); `expire_token` makes the current token invalid at once.
- the pushes WeChat makes to the bot's server URL: `post` sends one signed XML message in
  plaintext or safe mode and returns the reply (decrypted); `text_xml`, `event_xml` and
  `image_xml` build the messages.

The signatures and the safe-mode AES are written here from WeChat's specification with hashlib
and cryptography, independently of wechatpy, which the bot uses: a mismatch between the two is a
test failure rather than a shared mistake.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import secrets
import socket
import struct
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "wanzhouTest2026"
APPID = "wx0123456789abcdef"
SECRET = "0123456789abcdef0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the platform generates
ACCOUNT = "gh_wanzhou_legal"  # the Official Account's own id (ToUserName)
BLOCK = 32  # WeChat pads to 32-byte blocks (PKCS#7 with k = 32)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _aes_key() -> bytes:
    return base64.b64decode(AES_KEY + "=")


def encrypt(xml: str, appid: str = APPID) -> str:
    """WeChat's safe-mode ciphertext: AES-256-CBC(iv = key[:16]) of random(16) + len + xml + appid."""
    raw = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(raw)) + raw + appid.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    key = _aes_key()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(ciphertext: str) -> tuple[str, str]:
    """(xml, appid) from a safe-mode ciphertext."""
    key = _aes_key()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(ciphertext)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    length = struct.unpack(">I", plain[16:20])[0]
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


@dataclass
class Reply:
    """What the bot answered one push with."""

    status: int | None  # None: no answer within the timeout
    body: str = ""
    xml: str = ""  # the passive reply's XML, decrypted in safe mode
    fields: dict[str, str] = field(default_factory=dict)
    signature_ok: bool | None = None  # safe mode: the reply's MsgSignature is right
    headers: dict[str, str] = field(default_factory=dict)  # the HTTP response's (a load balancer's too)

    @property
    def content(self) -> str:
        return self.fields.get("Content", "")

    @property
    def is_success(self) -> bool:
        return self.status == 200 and self.body in ("success", "")


@dataclass
class Sent:
    """One customer-service message the bot sent."""

    touser: str
    content: str
    access_token: str
    errcode: int
    at: float = field(default_factory=time.monotonic)


class FakeWeChat:
    def __init__(self, expires_in: int = 7200, verify_tls: bool = True):
        self.expires_in = expires_in
        self.token_calls: list[dict[str, str]] = []
        self.sent: list[Sent] = []
        self._valid_token = ""
        self._tokens = itertools.count(1)
        self._msg_ids = itertools.count(int(time.time()) * 1000)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.http = httpx.Client(trust_env=False, verify=verify_tls)  # False: a load balancer's throwaway certificate

    # --- the API side -------------------------------------------------------------------

    def __enter__(self) -> "FakeWeChat":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self.http.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def _token(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        with self._lock:
            self.token_calls.append(query)
            if query.get("grant_type") != "client_credential" or query.get("appid") != APPID:
                return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
            if query.get("secret") != SECRET:
                return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
            self._valid_token = f"ACCESS_TOKEN_{next(self._tokens)}"
            return web.json_response({"access_token": self._valid_token, "expires_in": self.expires_in})

    async def _custom_send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        data: dict[str, Any] = json.loads(await request.read())
        with self._lock:
            errcode = 0 if token and token == self._valid_token else 40001
            content = (data.get("text") or {}).get("content", "") if data.get("msgtype") == "text" else ""
            self.sent.append(Sent(str(data.get("touser", "")), content, token, errcode))
        if errcode:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def expire_token(self) -> None:
        """The current access token stops working now (as when WeChat revokes it)."""
        with self._lock:
            self._valid_token = "expired-" + secrets.token_hex(4)

    def delivered(self, openid: str) -> list[str]:
        """The customer-service texts that reached ``openid`` (accepted by the API), in order."""
        with self._lock:
            return [s.content for s in self.sent if s.touser == openid and s.errcode == 0]

    def wait_delivered(self, openid: str, count: int, timeout: float = 15.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.delivered(openid)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError(f"{openid} got {len(self.delivered(openid))} customer-service messages, expected {count}: {self.sent}")

    # --- the push side ------------------------------------------------------------------

    def text_xml(self, openid: str, content: str, msg_id: int | None = None) -> str:
        msg_id = next(self._msg_ids) if msg_id is None else msg_id
        return (
            f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(content)}</Content><MsgId>{msg_id}</MsgId></xml>"
        )

    def event_xml(self, openid: str, event: str, key: str = "", created: int | None = None) -> str:
        key_xml = f"<EventKey>{_cdata(key)}</EventKey>" if key else ""
        return (
            f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event>{_cdata(event)}</Event>{key_xml}</xml>"
        )

    def image_xml(self, openid: str) -> str:
        return (
            f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
            f"<PicUrl>{_cdata('http://example.invalid/p.jpg')}</PicUrl><MediaId>{_cdata('media1')}</MediaId>"
            f"<MsgId>{next(self._msg_ids)}</MsgId></xml>"
        )

    def signed_query(self, token: str = TOKEN, **extra: str) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        return {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, **extra}

    def post(self, url: str, xml: str, safe: bool = False, token: str = TOKEN, timeout: float = 5.0) -> Reply:
        """Push one message as WeChat does (``safe``: encrypted, as in safe mode); the bot's reply."""
        query = self.signed_query(token)
        body = xml
        if safe:
            openid = ET.fromstring(xml).findtext("FromUserName") or ""
            ciphertext = encrypt(xml)
            query.update(encrypt_type="aes", openid=openid, msg_signature=sign(token, query["timestamp"], query["nonce"], ciphertext))
            body = f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><Encrypt>{_cdata(ciphertext)}</Encrypt></xml>"
        try:
            response = self.http.post(url, params=query, content=body.encode(), headers={"Content-Type": "text/xml"}, timeout=timeout)
        except httpx.TimeoutException:
            return Reply(None)
        return self._read_reply(response, safe, token)

    def _read_reply(self, response: httpx.Response, safe: bool, token: str) -> Reply:
        reply = Reply(response.status_code, response.text, headers=dict(response.headers))
        if response.status_code != 200 or not response.text.startswith("<xml"):
            return reply
        root = ET.fromstring(response.text)
        if safe:
            ciphertext = root.findtext("Encrypt") or ""
            expected = sign(token, root.findtext("TimeStamp") or "", root.findtext("Nonce") or "", ciphertext)
            reply.signature_ok = expected == root.findtext("MsgSignature")
            reply.xml, appid = decrypt(ciphertext)
            assert appid == APPID, appid
            root = ET.fromstring(reply.xml)
        else:
            reply.xml = response.text
        reply.fields = {child.tag: child.text or "" for child in root}
        return reply
