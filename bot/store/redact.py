"""Personal-data redaction applied before an inquiry is stored or logged.

People paste phone numbers, ID and bank card numbers into legal questions; none of that may
reach disk. Patterns run on a shadow copy in which full-width digits and punctuation are folded
to ASCII one character for one, so positions match the original and the rest of the text is
kept exactly as typed. Every number is fenced by digit lookarounds, so dates, money, hotlines
(12348) and case numbers are never cut into. First-generation 15-digit IDs are left alone: they
were retired years ago and their shape is too weak to tell them from other long numbers.
"""

from __future__ import annotations

import re

MOBILE = "[手机号]"
LANDLINE = "[电话]"
ID_CARD = "[身份证号]"
BANK_CARD = "[银行卡号]"
EMAIL = "[邮箱]"

PLACEHOLDERS: tuple[str, ...] = (MOBILE, LANDLINE, ID_CARD, BANK_CARD, EMAIL)

_FOLD = str.maketrans(
    "０１２３４５６７８９＋－‐‑–—（）＠．\u3000",
    "0123456789+-----()@. ",
)

_BIRTH_DATE = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

# Order matters: e-mail first so digits in an address go with it; ID cards before bank cards,
# as both can be 18 digits; grouped forms are fenced by the same lookarounds as bare runs.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.ASCII), placeholder)
    for pattern, placeholder in (
        (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", EMAIL),
        # 18-digit ID: region code, birth date, sequence, check digit; 6-8-4 grouping allowed.
        (rf"(?<!\d)[1-9]\d{{5}}[ -]?{_BIRTH_DATE}[ -]?\d{{3}}[\dXx](?!\d)", ID_CARD),
        # A check digit X marks an ID even when the birth date is mistyped.
        (r"(?<!\d)\d{17}[Xx](?!\d)", ID_CARD),
        # Bank card: 16-19 digits, either in one run or in groups of four with one separator.
        (
            r"(?<!\d)\d{4}(?P<sep>[ -])\d{4}(?P=sep)\d{4}(?P=sep)\d{4}(?:(?P=sep)\d{1,3})?(?!\d)",
            BANK_CARD,
        ),
        (r"(?<!\d)\d{16,19}(?!\d)", BANK_CARD),
        # Mobile: optional +86 / 0086 / 86 / (+86) or a dialled leading 0; 3-4-4 grouping allowed.
        (
            r"(?<!\d)(?:(?:\((?:\+|00)?86\)|(?:\+|00)?86)[ -]?|0)?"
            r"1[3-9]\d(?P<sep>[ -]?)\d{4}(?P=sep)\d{4}(?!\d)",
            MOBILE,
        ),
        # Landline: area code 0xx/0xxx, local number 7-8 digits never starting with 0 or 1.
        (r"(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{2,3}[ -]?\d{4}(?!\d)", LANDLINE),
        # International form without the trunk 0: +86 23 58123456.
        (r"(?<!\d)\+86[ -]?\(?[1-9]\d{1,2}\)?[ -]?[2-9]\d{2,3}[ -]?\d{4}(?!\d)", LANDLINE),
    )
)


def redact(text: str) -> str:
    """``text`` with phone, ID card, bank card numbers and e-mail addresses replaced."""
    shadow = text.translate(_FOLD)
    for pattern, placeholder in _RULES:
        text, shadow = _replace(pattern, placeholder, text, shadow)
    return text


def _replace(
    pattern: re.Pattern[str], placeholder: str, text: str, shadow: str
) -> tuple[str, str]:
    """Replace matches found in ``shadow`` in both strings, keeping them aligned."""
    kept: list[str] = []
    folded: list[str] = []
    end = 0
    for match in pattern.finditer(shadow):
        kept += (text[end : match.start()], placeholder)
        folded += (shadow[end : match.start()], placeholder)
        end = match.end()
    if not kept:
        return text, shadow
    kept.append(text[end:])
    folded.append(shadow[end:])
    return "".join(kept), "".join(folded)
