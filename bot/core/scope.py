"""Out-of-scope questions told by their shape rather than their words.

Two kinds of near miss share every word with questions the bot does answer:

- **an office elsewhere**: "北京市朝阳区公证处几点上班" uses the words of the notary service, but
  the bot knows Wanzhou's offices only (what staff fill in, else the national hotlines), and would
  give Wanzhou's notary office as if it were theirs. The names of China's provinces, cities and
  counties come from the administrative-division table the `cpca` package ships (its recogniser
  builds a pandas DataFrame per call, about 12 ms and 70 MB of RSS; a scan over the same names
  costs microseconds). Only the table is read, once per process.
- **an exam or textbook question**; a point of law (which crime a stranger's conduct is, 黄某犯什么罪;
  an article quoted with no question about it): "甲将房屋出租给乙……甲为什么可以请求乙承担违约责任" is about a
  tenancy, but nobody is asking what to do: parties named 甲/乙/丙, options A/B/C/D and the wording
  of exam papers (下列……的是, 说法正确的是, 试分析) give it away.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

HOME_CODES = ("500101", "500000")  # 万州区 and 重庆市, whose offices staff fill in or cover
HOME_NAMES = ("万州",)  # "人在广州，万州的公证处几点上班" asks about home
_DIVISION_TABLE = Path("resources", "adcodes.csv")  # inside the cpca package
# Suffixes a province's or city's everyday name goes without: 广东省 → 广东, 恩施…自治州 → 恩施.
_SHORTENED = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|地区|省|市|盟)$")
_COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|区|县|旗|市)$")  # 城区, 郊区, 矿区 are too short a stem to be names
_ETHNIC = re.compile(r"(.{2,}?)(?:[^族]{1,6}族)+$")
# A short city name right before one of these is a town or street of the same name (新乡镇, 中山路).
_NOT_A_CITY_AFTER = ("镇", "乡", "村", "街", "路", "大道", "小区", "社区", "组")
_MIN_NAME = 2

# What makes the question about an office's local facts: the office, and what is asked of it.
OFFICE_WORDS = (
    "公证处", "法律援助", "援助中心", "司法局", "司法所", "调解委员会", "调委会", "调解中心", "劳动仲裁", "仲裁委", "仲裁院",
    "法院", "中院", "法庭", "检察院", "派出所", "公安局", "律师事务所", "律所", "人社局", "劳动局", "劳动监察",
    "政务服务中心", "政务中心", "办事大厅", "信访", "服务中心", "服务站", "工作站",
)
LOCAL_FACT_WORDS = (
    "地址", "在哪", "在什么地方", "位置", "怎么走", "几点", "上班", "下班", "办公", "时间", "电话", "号码",
    "联系方式", "周末", "周六", "周日", "星期", "节假日", "开门", "营业",
)


@dataclass(frozen=True)
class _Name:
    text: str
    short: bool  # an everyday form (广州) rather than the division's full name (广州市)


def _everyday(name: str) -> str:
    stem = _SHORTENED.sub("", name)
    ethnic = _ETHNIC.fullmatch(stem)
    return ethnic.group(1) if ethnic else stem


@lru_cache(maxsize=1)
def _names() -> tuple[re.Pattern[str], dict[str, _Name]]:
    """One pattern of every name outside Wanzhou (longest first, so 朝阳区 beats 朝阳), and what each is."""
    # Found, not imported: importing cpca loads its recogniser, 0.7 s this table does not need.
    spec = find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("缺少依赖 cpca（行政区划表）：请运行 pip install -e .")
    names: dict[str, _Name] = {}
    with (Path(spec.origin).parent / _DIVISION_TABLE).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, full = row["adcode"][:6], row["name"].strip()  # 500101000000 → 万州区's 500101
            if not full or code in HOME_CODES or full.endswith("辖区") or full.endswith("辖县"):
                continue
            is_county = not code.endswith("00")
            if len(_COUNTY_SUFFIX.sub("", full) if is_county else _everyday(full)) >= _MIN_NAME:
                names.setdefault(full, _Name(full, False))
            short = _everyday(full)
            if not is_county and len(short) >= _MIN_NAME and short != full:
                names.setdefault(short, _Name(short, True))
    ordered = sorted(names, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))), names


def load_place_names() -> None:
    """Read the division table now (about 0.2 s), not on the first resident's message."""
    _names()


def place_elsewhere(text: str) -> str | None:
    """The first place outside Wanzhou the (normalised) text names, or None."""
    pattern, names = _names()
    for found in pattern.finditer(text):
        name = names[found.group()]
        if name.short and text.startswith(_NOT_A_CITY_AFTER, found.end()):
            continue
        return name.text
    return None


def asks_about_office_elsewhere(text: str) -> str | None:
    """The place, when the text asks where, when or how to reach an office outside Wanzhou."""
    if any(w in text for w in HOME_NAMES):
        return None
    if not any(w in text for w in OFFICE_WORDS) or not any(w in text for w in LOCAL_FACT_WORDS):
        return None
    return place_elsewhere(text)


# Exam papers name the parties 甲, 乙, 丙, 丁; everyday words that hold those characters do not
# count (甲方 and 乙方 of a real contract, 乙肝, 甲醛, 甲状腺, 指甲 …).
_PARTY = re.compile(r"(?<![指盔装铠])([甲乙丙丁])(?![方状醛肝类级等鱼烷酸基型])")
_MIN_PARTIES = 2
_OPTIONS = re.compile(r"(?<![A-Za-z])([A-D])\s*[:.、)]")
_MIN_OPTIONS = 2
EXAM_WORDS = (
    "下列", "以下哪", "哪一项", "说法正确", "说法错误", "说法不正确", "表述正确", "表述错误", "正确的是",
    "错误的是", "试分析", "试述", "简述", "名词解释", "论述题", "选择题", "判断题", "案例分析题", "此案应",
    "法考", "司法考试", "真题", "这道题",
)


def is_exam_question(raw: str) -> bool:
    """Whether the message reads like an exam or textbook question rather than a resident's own."""
    text = unicodedata.normalize("NFKC", raw)
    if any(w in text for w in EXAM_WORDS):
        return True
    if len({m.group(1) for m in _PARTY.finditer(text)}) >= _MIN_PARTIES:
        return True
    return len({m.group(1) for m in _OPTIONS.finditer(text)}) >= _MIN_OPTIONS


# "黄某犯什么罪", "未满18岁的会定什么罪": which crime someone else's conduct is, asked as a point of
# law. Asked about the writer or their family (儿子被抓了会定什么罪) it is a detained relative's case.
CRIME_CLASSIFYING = ("犯什么罪", "定什么罪", "构成什么罪", "构成何罪", "什么罪名", "何种罪", "如何定罪", "怎么定罪", "定何罪")
PERSONAL_WORDS = (
    "我", "家人", "家里", "儿子", "女儿", "老公", "丈夫", "老婆", "妻子", "爸", "妈", "父亲", "母亲",
    "哥", "姐", "弟", "妹", "孩子", "娃", "亲戚", "朋友", "对象", "被",  # 被骗了 tells the writer is the victim
)


# A statute quoted or cited with no question about it ("第四十七条 经济补偿按劳动者……",
# "中华人民共和国劳动合同法第八十二条"): legal text, not a resident's problem.
_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")
QUESTION_WORDS = (
    "吗", "呢", "怎么", "怎样", "如何", "什么", "啥", "能否", "能不能", "可以", "可不可以", "是否",
    "是不是", "有没有", "哪", "多少", "几", "咋", "请问", "求助", "帮", "理解", "意思", "解释",
)


# Doctrine asked about for its own sake ("继承权的法律特征", "无因管理的构成要件"): a law student's
# question, not a resident's problem, unless the writer's own life is in it.
DOCTRINE_WORDS = (
    "法律特征", "构成要件", "法律性质", "理论依据", "法理", "概念", "定义", "基本原则", "立法目的", "立法本意", "法律意义",
    "的区别", "有什么区别", "有何区别", "有区别吗", "本质区别", "区别是什么", "区别在哪", "有什么不同", "异同",
)


def is_point_of_law(text: str) -> bool:
    """Whether the (normalised) text asks which crime a third party's conduct is, asks about
    doctrine for its own sake, or quotes an article of law without asking anything of it."""
    if any(w in text for w in CRIME_CLASSIFYING + DOCTRINE_WORDS) and not any(w in text for w in PERSONAL_WORDS):
        return True
    return _ARTICLE.search(text) is not None and not any(w in text for w in QUESTION_WORDS + PERSONAL_WORDS)
