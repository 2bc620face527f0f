"""WeChat's message protocol through wechatpy: signatures, safe-mode crypto, parsing, passive replies.

WeChat signs every call to the server URL with the token (``signature`` over token, timestamp
and nonce); in safe mode the body is AES-encrypted with the EncodingAESKey and signed again
(``msg_signature`` over the ciphertext), and the passive reply must be encrypted the same way.
Whatever arrives is reduced to an `Incoming`: who sent it, what kind it is, the key that
identifies it across WeChat's retries, and its text or menu key.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from xml.parsers.expat import ExpatError

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage, TextMessage, VoiceMessage
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from .settings import WeChatSettings

SUCCESS = "success"  # what WeChat wants when there is no passive reply (the answer follows by API)
MAX_KEY_CHARS = 128  # a menu key longer than WeChat allows (128 bytes) is not ours


class Kind(str, Enum):
    TEXT = "text"
    SUBSCRIBE = "subscribe"
    CLICK = "click"  # a custom-menu button of type "click": its EventKey is a button action
    NOT_TEXT = "not_text"  # a picture, voice without recognition, a location…: the bot reads text
    IGNORED = "ignored"  # unsubscribe, a link menu opened, a template delivered…: nothing to say


class Forbidden(Exception):
    """The request is not signed with our token (or our EncodingAESKey): 403."""


class Unreadable(Exception):
    """Signed, but not a message we can read (bad XML, ciphertext our key does not open): 400."""


@dataclass(frozen=True)
class Incoming:
    kind: Kind
    user: str  # the sender's OpenID
    key: str  # the same for WeChat's retries of this message: MsgId, or sender + time + event
    text: str = ""  # the message text, or the menu button's EventKey
    message: BaseMessage | None = None  # what the passive reply answers

    def reply_xml(self, content: str) -> str:
        """A passive text reply, as XML; ``]]>`` in the text is split so it cannot end the CDATA."""
        return TextReply(message=self.message, content=content.replace("]]>", "]]]]><![CDATA[>"), time=int(time.time())).render()


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted parts (token, timestamp, nonce[, ciphertext])."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def check_signature(token: str, query: Mapping[str, str]) -> None:
    """The ``signature`` query parameter must be ours (compared in constant time)."""
    expected = signature(token, query.get("timestamp", ""), query.get("nonce", ""))
    if not hmac.compare_digest(query.get("signature", "").encode(), expected.encode()):
        raise Forbidden("bad signature")


@dataclass(frozen=True)
class Envelope:
    """Opens a POST body and seals the passive reply, in the request's mode (plaintext or safe)."""

    settings: WeChatSettings

    @property
    def _crypto(self) -> WeChatCrypto:
        return WeChatCrypto(self.settings.token, self.settings.aes_key, self.settings.appid)

    @staticmethod
    def encrypted(query: Mapping[str, str]) -> bool:
        return query.get("encrypt_type", "raw").lower() == "aes"

    def open(self, body: bytes, query: Mapping[str, str]) -> str:
        """The message XML. Raises `Forbidden` or `Unreadable`."""
        check_signature(self.settings.token, query)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable("the body is not UTF-8") from None
        if not self.encrypted(query):
            return text
        if not self.settings.safe_mode:
            raise Unreadable("an encrypted message, but LEGALBOT_WECHAT_AES_KEY is not set")
        try:
            return self._crypto.decrypt_message(text, query.get("msg_signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
        except (InvalidSignatureException, InvalidAppIdException):
            raise Forbidden("bad msg_signature or AppID") from None
        except (ExpatError, KeyError, TypeError, ValueError, IndexError, UnicodeDecodeError) as exc:  # binascii/struct errors are ValueErrors
            raise Unreadable(f"cannot decrypt: {type(exc).__name__} (is LEGALBOT_WECHAT_AES_KEY the key set on the platform?)") from None

    def seal(self, xml: str, query: Mapping[str, str]) -> str:
        """The reply as WeChat expects it in the request's mode."""
        if not self.encrypted(query):
            return xml
        return self._crypto.encrypt_message(xml, query.get("nonce", ""), query.get("timestamp", ""))


def read(xml: str) -> Incoming:
    """What the resident did. Raises `Unreadable` for XML that is not a WeChat message."""
    try:
        message = parse_message(xml)
    except (ExpatError, KeyError, TypeError, ValueError, AttributeError):
        raise Unreadable("not a WeChat message") from None
    if message is None or not message.source:
        raise Unreadable("not a WeChat message")
    user = message.source
    if message.type == "event":
        key = f"{user}:{message.time}:{message.event}"
        if message.event in ("subscribe", "subscribe_scan"):
            return Incoming(Kind.SUBSCRIBE, user, key, message=message)
        if message.event == "click" and message.key and len(message.key) <= MAX_KEY_CHARS:
            return Incoming(Kind.CLICK, user, key, message.key, message)
        return Incoming(Kind.IGNORED, user, key, message=message)
    key = str(message.id) if message.id else f"{user}:{message.time}:{message.type}"
    if isinstance(message, TextMessage):
        return Incoming(Kind.TEXT, user, key, message.content or "", message)
    if isinstance(message, VoiceMessage) and message.recognition:  # WeChat's own speech-to-text, when switched on
        return Incoming(Kind.TEXT, user, key, message.recognition, message)
    return Incoming(Kind.NOT_TEXT, user, key, message=message)
