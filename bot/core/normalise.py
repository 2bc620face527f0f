"""Text normalisation: turn what people really type into one comparable form.

Two views of a message are produced, both cheap to compute:
- ``text``: Simplified Chinese (OpenCC), half-width, lower case, no punctuation or emoji, with
  common Chongqing dialect words mapped to Mandarin;
- ``sounds``: the message as a sequence of toneless pinyin syllables (pypinyin), with typed pinyin
  segmented into syllables and the sound pairs southwestern speakers merge folded together, so
  homophone typos (法律援注 → 法律援助) and pinyin input (falv yuanzhu) meet the intended words.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# pypinyin's phrase dictionary (readings of polyphones in context) costs ~44 MB of RSS, a third of
# the bot's memory, and changes nothing measurable here: the sounds are toneless, southwestern
# pairs are folded, and `legalbot eval` accuracy is the same without it. A library switch, read
# once at its import (any non-empty value disables the dictionary; an empty one keeps it).
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")

import opencc  # noqa: E402
from pypinyin import Style, lazy_pinyin, load_single_dict  # noqa: E402
from pypinyin.pinyin_dict import pinyin_dict  # noqa: E402

_T2S = opencc.OpenCC("t2s")
KNOWN_TEXTS_CACHED = 1 << 15  # examples, keywords and titles kept normalised (the shipped ones: about 4,500)

# Without the phrase dictionary a polyphone takes its first reading. Where that reading is rare in
# legal-service questions, put the usual one first, so typed pinyin (tiaojie, chongqing, changqi)
# meets the characters: 调解, 重庆, 长期, 还钱.
_DOMAIN_READINGS = {"调": "tiáo", "重": "chóng", "长": "cháng", "还": "huán"}
load_single_dict(
    {
        ord(char): ",".join([first] + [r for r in pinyin_dict[ord(char)].split(",") if r != first])
        for char, first in _DOMAIN_READINGS.items()
    }
)

# Chongqing / southwestern Mandarin words residents type, mapped to the Mandarin the intents use.
DIALECT = {
    "啷个": "怎么",
    "咋个": "怎么",
    "咋子": "怎么",
    "哪门": "怎么",
    "做啥子": "做什么",
    "啥子": "什么",
    "莫得": "没有",
    "没得": "没有",
    "晓得": "知道",
    "搞不赢": "来不及",
    "遭": "被",
    "婆娘": "妻子",
    "老汉儿": "父亲",
    "娃儿": "孩子",
    "屋头": "家里",
    "摆龙门阵": "聊天",
    "扯皮": "纠纷",
    "整": "办",
}

# Toneless pinyin syllables (from pypinyin's dictionary), used to segment typed pinyin.
SYLLABLES = frozenset(
    """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca
cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua
chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den
deng di dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang
fei fen feng fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang
gui gun guo ha hai han hang hao he hei hen heng hm hng hong hou hu hua huai huan huang hui hun
huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken
keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian
liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai man mang mao me mei men
meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ng ni nia nian
niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve o ou pa pai pan pang pao pei pen
peng pi pian piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan
que qun ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen
seng sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun
shuo si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie ting tong
tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia xian xiang xiao xie xin
xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun za zai
zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu
zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
""".split()
)
_MAX_SYLLABLE = max(map(len, SYLLABLES))

# Sound pairs merged in southwestern Mandarin and in hurried typing: zh/z, ch/c, sh/s, -ing/-in, -eng/-en, ü/u.
_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ing", "in"), ("eng", "en"), ("v", "u"), ("ü", "u"))

_DIALECT_RE = re.compile("|".join(sorted(map(re.escape, DIALECT), key=len, reverse=True)))
_KEEP_RE = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_RUN_RE = re.compile(r"[a-z]+|[0-9]+|[\u3400-\u9fff\uf900-\ufaff]+")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Normalised:
    """A message in both comparable forms; ``raw`` is kept only in memory, never stored."""

    raw: str
    text: str
    sounds: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


def fold_sound(syllable: str) -> str:
    for a, b in _FOLDS:
        syllable = syllable.replace(a, b)
    return syllable


def segment_pinyin(run: str) -> list[str] | None:
    """Split a latin run such as 'falvyuanzhu' into syllables, or None when it isn't pinyin.

    Longest syllable first with backtracking, so 'xian' stays one syllable but 'xianzai' works.
    Solved from the end of the run backwards (each position's first workable syllable, longest
    first), so any length takes linear time and no recursion: 'ha' * 600 once overflowed the stack.
    """
    run = run.replace("v", "u") if "v" in run else run
    length = len(run)
    step = [0] * (length + 1)  # step[i]: the syllable at i in the split from i on; 0 = none works
    for start in range(length - 1, -1, -1):
        for size in range(min(_MAX_SYLLABLE, length - start), 0, -1):
            end = start + size
            if (end == length or step[end]) and _is_syllable(run[start:end]):
                step[start] = size
                break
    if not length or not step[0]:
        return None
    pieces, start = [], 0
    while start < length:
        pieces.append(run[start : start + step[start]])
        start += step[start]
    return pieces


def _is_syllable(piece: str) -> bool:
    return piece in SYLLABLES or piece in ("lue", "nue")


def clean_text(raw: str) -> str:
    """Simplified, half-width, lower-case text with punctuation, emoji and spacing removed.

    Spaces survive only between latin words, so 'legal aid' stays two words while Chinese runs
    are joined (people put random spaces between characters).
    """
    text = unicodedata.normalize("NFKC", raw)
    text = _T2S.convert(text).lower().replace("+", "加")
    text = _KEEP_RE.sub(" ", text)
    text = re.sub(r"(?<=[^a-z0-9]) | (?=[^a-z0-9 ])", "", text)
    text = _DIALECT_RE.sub(lambda m: DIALECT[m.group(0)], text)
    return " ".join(text.split())


def sounds_of(text: str) -> tuple[str, ...]:
    """Pinyin syllables of cleaned text; latin words that are not pinyin stay whole words."""
    sounds: list[str] = []
    for run in _LATIN_RUN_RE.findall(text):
        if _CJK_RE.match(run):
            sounds.extend(lazy_pinyin(run, style=Style.NORMAL, v_to_u=False))
        elif run.isdigit():
            sounds.append(run)
        else:
            sounds.extend(segment_pinyin(run) or [run])
    return tuple(fold_sound(s) for s in sounds)


def normalise(raw: str) -> Normalised:
    text = clean_text(raw)
    return Normalised(raw=raw, text=text, sounds=sounds_of(text))


@lru_cache(maxsize=KNOWN_TEXTS_CACHED)
def normalise_known(text: str) -> Normalised:
    """`normalise` for the knowledge's own texts (examples, keywords, titles), kept: every matcher
    a process builds on nearly the same knowledge — a check, an evaluation before and after an
    edit, a reload — reuses their pinyin instead of computing it again. Residents' messages go
    through `normalise` and are not kept."""
    return normalise(text)
