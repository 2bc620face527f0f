"""Personal-data redaction applied before an inquiry is stored or logged.

People paste phone numbers, ID and bank card numbers, e-mail, WeChat and QQ ids, plates,
passports, birthdays, their names and home addresses into legal questions; none of that may
reach disk, and the question around it must stay readable (5000元, 三个月工资, 第三十一条 stay).

How: patterns run on a *shadow* copy in which look-alikes are folded one character for one —
full-width forms to ASCII, odd spaces (no-break, zero-width) to a space, dashes to ``-``, and a
run of five or more Chinese numerals (一三八…, 幺) to digits — so positions match the original
and the rest of the text is kept exactly as typed. Numbers are found as spans of digits joined by
separators and classified by their digits (mobile, landline, 8-digit local, ID, card); a span that
is no one item is tried group by group (two phones in a row, an extension after a landline).
Names, addresses, WeChat/QQ ids and birthdays need the words people put before them (我叫,
住在, 微信号, 生日) or, for addresses, the shape 路/村/小区 + 号/栋/单元/组. Every pattern has
bounded repetition, so the work is linear in the length of the text.

Why regexes and not a library: the candidates on PyPI for Chinese names and addresses (jieba's
part-of-speech tags, cpca) are unmaintained since 2020-21, load 50+ MB of dictionaries into every
worker, and on the redaction battery jieba's person tags found fewer of the names than the cue
patterns (benchmarks/bench_redact.py measures both). First-generation 15-digit IDs are left
alone: retired years ago, and their shape is too weak to tell from other long numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

MOBILE = "[手机号]"
LANDLINE = "[电话]"
ID_CARD = "[身份证号]"
BANK_CARD = "[银行卡号]"
EMAIL = "[邮箱]"
WECHAT = "[微信号]"
QQ = "[QQ号]"
PLATE = "[车牌号]"
PASSPORT = "[护照号]"
BIRTHDAY = "[生日]"
NAME = "[姓名]"
ADDRESS = "[地址]"

PLACEHOLDERS: tuple[str, ...] = (
    MOBILE, LANDLINE, ID_CARD, BANK_CARD, EMAIL, WECHAT, QQ, PLATE, PASSPORT, BIRTHDAY, NAME, ADDRESS,
)
# The two families the redaction battery reports on (benchmarks/bench_redact.py).
NUMBER_PLACEHOLDERS = (MOBILE, LANDLINE, ID_CARD, BANK_CARD, EMAIL, WECHAT, QQ, PLATE, PASSPORT, BIRTHDAY)
NAME_PLACEHOLDERS = (NAME, ADDRESS)

# --- the shadow: look-alikes folded one character for one ---------------------------------------
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e"
_DASHES = "‐‑‒–—―−﹣"
_DOTS = "·•∙・"
_FOLD = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},  # full-width ASCII
        **{c: " " for c in _SPACES + _INVISIBLE},
        **{c: "-" for c in _DASHES},
        **{c: "." for c in _DOTS},
    }
)
_NUMERAL_DIGITS = str.maketrans("〇零一二三四五六七八九幺", "001234567891")
# Five or more numerals/digits in a row (separators allowed) are a number read out, not prose.
_NUMERAL_RUN = re.compile(r"[〇零一二三四五六七八九幺0-9](?:[ .\-]{0,3}[〇零一二三四五六七八九幺0-9]){4,}")

# --- numbers ------------------------------------------------------------------------------------
_SEP = r"[ .\-()/]{0,3}"
# A span of digits joined by separators, with a leading (, + or (+ and a trailing check digit X.
_NUMBER_SPAN = re.compile(rf"(?<![0-9])(?:\(\+?|\+)?[0-9](?:{_SEP}[0-9])*(?:[Xx](?![A-Za-z]))?")
_DIGIT_GROUP = re.compile(r"[0-9]+[Xx]?")
_MOBILE_DIGITS = re.compile(r"(?:0086|86)?0?1[3-9][0-9]{9}")
_LOCAL = r"[2-9][0-9]{6,7}"  # local numbers never start with 0 or 1
_BIRTH_DATE = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID_DIGITS = re.compile(rf"[1-9][0-9]{{5}}{_BIRTH_DATE}[0-9]{{3}}[0-9X]|[0-9]{{17}}X")
_DATE_DIGITS = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")
# After an 8-digit local number these mean it was an amount, a count or a date.
_UNIT_AFTER = "元块圆万亿千百件个人次天年月日号岁%‰美镑欧"
_MONEY_BEFORE = "¥￥$第"
_MAX_ITEM_DIGITS = 23  # 0086 + a 19-digit card is already more than any one item


def _number_kind(groups: list[str], plus: bool) -> str | None:
    """What a run of digit groups is, judged by its digits and where the separators fell."""
    digits = "".join(groups).upper()
    if "X" in digits[:-1]:
        return None
    if len(digits) == 18 and _ID_DIGITS.fullmatch(digits):
        return ID_CARD
    if not digits.isdigit():
        return None
    if 16 <= len(digits) <= 19:
        return BANK_CARD
    if _MOBILE_DIGITS.fullmatch(digits):
        return MOBILE
    if (plus or digits.startswith("0086")) and _landline(digits.removeprefix("00").removeprefix("86"), trunk=""):
        return LANDLINE
    if digits.startswith("0") and _landline(digits, trunk="0", area=groups[0] if len(groups) > 1 else None):
        return LANDLINE
    return None


def _landline(digits: str, trunk: str, area: str | None = None) -> bool:
    """Area code (010 and 02x have two digits after the 0, the rest three) + a local number."""
    if area is None:
        area_len = len(trunk) + (2 if digits[len(trunk) : len(trunk) + 1] in ("1", "2") else 3)
        area = digits[:area_len]
    elif len(area) not in (len(trunk) + 2, len(trunk) + 3):
        return False
    return bool(re.fullmatch(_LOCAL, digits[len(area) :]))


def _is_local(groups: list[str], before: str, after: str) -> bool:
    """An 8-digit local number (5812 3456) without its area code — unless it is a date or an
    amount (``before`` and ``after`` are the characters either side)."""
    digits = "".join(groups)
    return (
        len(digits) == 8
        and digits.isdigit()
        and digits[0] in "23456789"
        and not _DATE_DIGITS.fullmatch(digits)
        and not (after and after[0] in _UNIT_AFTER + ".")
        and not (before and before[-1] in _MONEY_BEFORE)
    )


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    placeholder: str


def _number_hits(shadow: str) -> Iterator[_Hit]:
    for span in _NUMBER_SPAN.finditer(shadow):
        groups = list(_DIGIT_GROUP.finditer(span.group()))
        plus = "+" in span.group()[:2]
        yield from _split_number(shadow, span, groups, plus)


def _split_number(shadow: str, span: re.Match[str], groups: list[re.Match[str]], plus: bool) -> Iterator[_Hit]:
    """The longest items, left to right, that consecutive groups of ``span`` make."""
    base = span.start()
    text = span.group()
    # A leading "+" belongs to the number, a "(" only when it closes round an area code: (023).
    opening = text[: groups[0].start()]
    closes = opening.startswith("(") and text[groups[0].end() : groups[0].end() + 1] == ")"
    first = base + (0 if closes else opening.find("+") if "+" in opening else groups[0].start())
    i = 0
    while i < len(groups):
        totals = accumulate(len(g.group()) for g in groups[i : i + _MAX_ITEM_DIGITS])
        ends = [i + n for n, total in enumerate(totals, 1) if total <= _MAX_ITEM_DIGITS]
        hit = None
        for j in reversed(ends):
            texts = [g.group() for g in groups[i:j]]
            start = first if i == 0 else base + groups[i].start()
            end = base + groups[j - 1].end()
            kind = _number_kind(texts, plus and i == 0)
            if kind is None and _is_local(texts, shadow[max(start - 1, 0) : start], shadow[end : end + 1]):
                kind = LANDLINE
            if kind:
                hit = _Hit(start, end, kind)
                break
        if hit:
            yield hit
            i = j
        else:
            i += 1


# --- context patterns (each with bounded repetition) -------------------------------------------
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_IS = r"(?:[ :：]{0,3}(?:是|为|叫|叫做)?[ :：]{0,3})"

_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-{_CJK}\u00c0-\u024f\u0370-\u04ff]{{1,64}}"
    rf"@(?:[A-Za-z0-9\-{_CJK}\u00c0-\u024f\u0370-\u04ff]{{1,63}}\.){{1,8}}"
    r"(?:[A-Za-z]{2,24}(?![A-Za-z])|中国|中國|公司|网络|網絡|在线|商城|商务|集团|移动|香港|台湾|台灣|新加坡|ελ|рф)"
)
# Text a Chinese e-mail local part cannot include: where the sentence before it ends.
_EMAIL_LEAD = re.compile(rf".*(?:邮箱|郵箱|邮件|邮址|地址|email|Email|E-mail|是|为|到|给|发|：|:)")

_WECHAT = re.compile(
    rf"(?<![A-Za-z])(?P<cue>(?:微信|薇信|威信|[Vv]信|[Vv][Xx]|[Ww][Xx]|[Ww]e[Cc]hat|[Ww]eixin)(?:号码|号|ID|id)?{_IS})"
    r"(?P<item>[A-Za-z][A-Za-z0-9_\-]{3,19}|[0-9]{5,12})(?![A-Za-z0-9_\-])"
)
_QQ = re.compile(rf"(?<![A-Za-z])(?P<cue>(?:[Qq]{{2}}|扣扣|企鹅)(?:号码|号)?{_IS})(?P<item>[1-9][0-9]{{4,10}})(?![0-9])")
_PASSPORT = re.compile(
    rf"(?P<cue>护照(?:号码|号)?{_IS})(?P<item>[A-Za-z0-9]{{7,10}})(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])(?P<bare>[EeGg][0-9]{8}|[Ee][A-Za-z][0-9]{7})(?![A-Za-z0-9])"
)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"[{_PROVINCES}][A-HJ-NP-Za-hj-np-z][ .\-]?(?=[A-Za-z0-9]{{0,5}}[0-9])[A-HJ-NP-Za-hj-np-z0-9]{{5,6}}(?![A-Za-z0-9])"
)
_DATE_NUMERAL = r"[0-9〇零一二三四五六七八九十]"
_DATE = (
    rf"(?:{_DATE_NUMERAL}{{2,4}}年{_DATE_NUMERAL}{{1,2}}月(?:{_DATE_NUMERAL}{{1,3}}[日号])?"
    rf"|{_DATE_NUMERAL}{{1,2}}月{_DATE_NUMERAL}{{1,3}}[日号]"
    rf"|(?:19|20)[0-9]{{2}}[\-/.](?:0?[1-9]|1[0-2])[\-/.](?:0?[1-9]|[12][0-9]|3[01])(?![0-9])|{_BIRTH_DATE})"
)
_BIRTHDAY = re.compile(
    rf"(?P<cue>(?:生日|出生日期|出生年月日?|出生于|出生在|生于|出生){_IS})(?P<item>{_DATE})"
    rf"|(?P<before>{_DATE})(?=[ ]{{0,2}}(?:出生|出世|生人|生的|生(?=[，,。.！!？?\s]|$)))"
)

# Common surnames (the ~200 most frequent single ones and the compound ones still in use).
_SURNAMES_2 = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|夏侯|端木|司徒|申屠|西门|南宫|闻人|轩辕"
_SURNAMES_1 = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
# Characters that end a name: what people write right after one (verbs, particles, punctuation).
_AFTER_NAME = "想要说打在和跟与是的了把被给让去来欠拖不没也都就还很问请因从到对向找借拿骂告现已又会能可应该今昨前后这那有吗呢啊吧今年岁男女先生女士律师"
_GIVEN = rf"(?:某某|某|[Xx]{{1,2}}|[{_CJK}](?:(?![{_AFTER_NAME}]|家暴)[{_CJK}])?)"
_NAME_CORE = rf"(?:{_SURNAMES_2}|[{_SURNAMES_1}]){_GIVEN}"
_RELATIVES = (
    "老公|丈夫|老婆|妻子|媳妇|爱人|前夫|前妻|儿子|女儿|父亲|母亲|爸爸|妈妈|我爸|我妈|哥哥|姐姐|弟弟|妹妹|公公|婆婆|"
    "岳父|岳母|爷爷|奶奶|外公|外婆|朋友|同事|同学|邻居|房东|租客|老板|经理|包工头|工头|师傅|老师|对方|原告|被告人?|"
    "申请人|被申请人|当事人|联系人|代理人|债务人|欠款人"
)
# Words that start with a surname but are not a name (对方全责, 我是农民工, 老板马上…).
_NOT_A_NAME = "莫得|车牌|全责|全部|全额|全家|全款|万元|万块|万州|马上|经常|方面|公司|房子|车子|农民|单位|高兴|文件|明天|明年|时间|关系|安全|程序|包括"
# A name after 我是 ends the clause, and is not a role (我是农民工, 我是万州人).
_ROLE_ENDINGS = "人工民员户者生长师主家族东客侨"
# After a bare 我老公 / 朋友 / 本人 the next word is as often 和, 向, 白天 or 车祸 as a name, so
# there a name may not start with a surname that is also a common word (real questions showed it).
_WORD_SURNAMES = "和向于付解申车白包成时明安全高常文关路连单应商师司古吉景米房万华"
# What follows a name after a bare cue: the end of the clause, or a verb (邻居施工危及… is no name).
_NAME_END = rf"(?:[，,。.！!？?、；;：:\s]|$|[{_AFTER_NAME}]|天天|总是|经常|一直|拖欠|家暴)"
_NAME = re.compile(
    rf"(?P<cue>(?:我叫|我的名字是|我的名字叫|名字叫|名字是|名叫|姓名(?:[ ]{{0,3}}[:：是叫])|(?:{_RELATIVES})(?:叫|名叫|[:：])){_IS})"
    rf"(?!{_NOT_A_NAME})(?P<item>{_NAME_CORE})(?![{_CJK}]?某)"
    rf"|(?P<cue3>(?:本人|{_RELATIVES})[ ]{{0,3}})(?![{_WORD_SURNAMES}]|是)(?!{_NOT_A_NAME})(?P<item3>{_NAME_CORE})(?![{_CJK}]?某)(?={_NAME_END})"
    rf"|(?P<cue2>(?:我|{_RELATIVES})是)(?!{_NOT_A_NAME})(?P<item2>{_NAME_CORE})(?<![{_ROLE_ENDINGS}])(?=[，,。.！!？?\s]|$|想|要|今年)"
    rf"|(?:^|(?<=[，,。！!？?\s]))(?!{_NOT_A_NAME})(?P<subject>{_NAME_CORE})(?=欠我|欠了我|打了我|打我|骗了我|骗我|借了我|借我|拖欠|不还)"
)

_PLACE_SUFFIX = "省|市|区|县|镇|乡|街道|大道|路|街|巷|胡同|村|社区|小区|花园|苑|大厦|广场|公寓|新村|家园|华庭|府|城|湾|园"
_UNIT_SUFFIX = "号楼|号院|号|栋|幢|单元|楼|层|室|组|社|队|弄|座|户|段"
_ADDRESS_NUMBER = r"[0-9〇零一二三四五六七八九十百A-Za-z]{1,6}"
# Place names never hold these: a token cannot reach back over 我在 / 住在 into the sentence.
_NOT_IN_PLACE = "我你他她在的了是与到从住想要问请被把给有"
_PLACE = rf"(?:(?:(?![{_NOT_IN_PLACE}])[{_CJK}]){{1,6}}(?:{_PLACE_SUFFIX}))"
_UNIT = rf"(?:(?:附|-|#)?{_ADDRESS_NUMBER}(?:{_UNIT_SUFFIX}))"
_ROOM = r"(?:[0-9]{1,5}(?:-[0-9]{1,4})?(?:室|号|房)?)"
_ADDRESS_CUE = "住在|住址|家住|现住|居住在|居住于|家庭住址|户籍地|户口所在地|户口在|地址|我住|搬到了|搬到|住的地方是"
_ADDRESS = re.compile(
    rf"(?P<cue>(?:{_ADDRESS_CUE}){_IS})(?P<item>(?>(?:{_PLACE}|{_UNIT}){{1,8}}){_ROOM}?)"
    rf"|(?P<bare>(?>{_PLACE}{{1,6}})(?>{_UNIT}{{1,6}}){_ROOM}?)"
)


def _context_hits(pattern: re.Pattern[str], placeholder: str, check: Callable[[str], bool] | None = None) -> Callable[[str], Iterator[_Hit]]:
    """Hits of a pattern: its non-cue group that matched (the cue words stay), else the whole match."""

    def hits(shadow: str) -> Iterator[_Hit]:
        for match in pattern.finditer(shadow):
            name = next((n for n, v in match.groupdict().items() if v is not None and not n.startswith("cue")), 0)
            if check is None or check(match.group(name)):
                yield _Hit(match.start(name), match.end(name), placeholder)

    return hits


def _email_hits(shadow: str) -> Iterator[_Hit]:
    if "@" not in shadow:  # the common case, without scanning every position for a local part
        return
    for match in _EMAIL.finditer(shadow):
        local = match.group().partition("@")[0]
        lead = _EMAIL_LEAD.match(local) if re.search(f"[{_CJK}]", local) else None
        yield _Hit(match.start() + (lead.end() if lead else 0), match.end(), EMAIL)


_STREET_LEVEL = re.compile("街道|大道|路|街|巷|胡同|村|社区|小区|花园|苑|大厦|公寓|新村|家园|华庭|广场")
# Words shaped like a place that name no place (家住农村, 住在城里).
_NOT_AN_ADDRESS = frozenset({"农村", "城里", "城市", "乡下", "市区", "郊区", "城区", "县城", "乡村", "山村", "小区", "老小区"})


def _address_ok(item: str) -> bool:
    """An address names at least a street, village or estate, not just a district or a floor."""
    return item not in _NOT_AN_ADDRESS and bool(_STREET_LEVEL.search(item))


# Order matters: e-mail first so digits in an address go with it; cue-led ids before bare
# numbers so a QQ number is called one; names last, after what could hold a surname.
_STEPS: tuple[Callable[[str], Iterator[_Hit]], ...] = (
    _email_hits,
    _context_hits(_WECHAT, WECHAT),
    _context_hits(_QQ, QQ),
    _context_hits(_PASSPORT, PASSPORT),
    _number_hits,
    _context_hits(_PLATE, PLATE),
    _context_hits(_BIRTHDAY, BIRTHDAY),
    _context_hits(_ADDRESS, ADDRESS, _address_ok),
    _context_hits(_NAME, NAME),
)


def _shadow(text: str) -> str:
    shadow = text.translate(_FOLD)
    return _NUMERAL_RUN.sub(lambda m: m.group().translate(_NUMERAL_DIGITS), shadow)


def redact(text: str) -> str:
    """``text`` with personal data replaced by short placeholders such as ``[手机号]`` and ``[姓名]``."""
    shadow = _shadow(text)
    for step in _STEPS:
        text, shadow = _replace(list(step(shadow)), text, shadow)
    return text


def _replace(hits: list[_Hit], text: str, shadow: str) -> tuple[str, str]:
    """Replace ``hits`` (found in ``shadow``, in order) in both strings, keeping them aligned."""
    if not hits:
        return text, shadow
    kept: list[str] = []
    folded: list[str] = []
    end = 0
    for hit in hits:
        if hit.start < end:
            continue
        kept += (text[end : hit.start], hit.placeholder)
        folded += (shadow[end : hit.start], hit.placeholder)
        end = hit.end
    kept.append(text[end:])
    folded.append(shadow[end:])
    return "".join(kept), "".join(folded)
