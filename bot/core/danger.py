"""Calls for help told by their shape rather than by the emergency intent's fixed phrases.

A person in danger does not pick our keywords. "他用语言威胁说出杀人的话" is a threat to kill with
no 威胁要杀 in it; "明天打算去死一死", "割开了手腕", "从几楼跳下可以摔死" state self-harm in words
that, one by one, also belong to everyday questions (去, 死, 手腕, 跳). Each pattern below needs
the combination: a threat word and a killing verb aimed at someone; a weapon and a chase; an
intent or method of harm aimed at the writer. Texts are normalised (no punctuation), so patterns
run across clauses.
"""

from __future__ import annotations

import re

# Someone coming at the writer with a weapon now ("他喝醉了拿菜刀追我"), not a past wound (拿刀砍伤了).
_ARMED_CHASE = re.compile(r"(拿|提|举|抄|持)着?(起)?(菜刀|刀|斧头|棍子|铁棍|砍刀|柴刀|锄头|榔头)[^砍伤]{0,4}(追|冲过来|冲进|堵)")

# A threat word, then within a few characters a killing verb aimed at someone; or lives held as
# the threat ("被第三者拿家人性命威胁", "威胁我们一家的性命").
_THREAT_TO_KILL = re.compile(
    r"(威胁|扬言|恐吓|放话|声称|说要|要挟).{0,6}(杀死|杀掉|杀|砍死|砍|捅死|捅|弄死|打死|搞死|灭)了?"
    r"(我|你|他|她|人|全家|一家|我们|孩子|老婆|老公|门)"
    r"|(拿|用|以).{0,8}性命.{0,2}(威胁|要挟|恐吓)|(威胁|要挟|恐吓).{0,8}性命"
)

# Words that hold a call for help's characters and mean something else: 救命钱 is money to live on,
# 救命稻草 a last hope ("信用社怎么能扣救命钱抵贷款").
EVERYDAY_COMPOUNDS = ("救命钱", "救命稻草", "救命恩人", "救命之恩", "救命药")

# The writer's own death or harm: meant (打算去死), planned by method (割开手腕, 想从楼上跳), or
# taken leave of (另一个世界见). 跳槽, 跳舞 and 割草 are other words.
_SELF_HARM = re.compile(
    "|".join(
        (
            r"(打算|准备|决定|想|要|可以|就|偷偷地?|偷偷的|勇敢地?|勇敢的|一起|只能|只好)去死",
            r"死一死|死不了|没死成|死成了",
            r"吊死|吊颈|绳子.{0,8}脖子|脖子.{0,8}绳子",
            r"(捅|割|划|伤害)自己",
            r"(想|要|打算|准备|决定)(从|往)[^跳]{0,6}(楼|桥|窗|阳台|天台).{0,6}跳(?!槽|舞|绳)|几楼跳",
            r"(就|好|真|很|又|我)想跳(?![槽舞绳级高远广])|(总是|每次|一直|每天)都?(想|幻想)[^跳]{0,6}跳(?!槽|舞|绳)|(想象|想像|幻想)[^跳]{0,6}跳(下|楼)|假如我跳|要是跳下",
            r"决定.{0,4}死|今晚(就)?(去)?死|(死去|去死|自杀)的(方式|方法|办法)",
            r"去?跳.{0,6}(湖|海|沼泽|水库)",
            r"(另一个|那个)世界(见|再见|相见)|再见世界|世界再见",
            r"找个.{0,8}(地方|桥洞).{0,4}死|死在.{0,8}(桥|洞|湖|江|河|海)",
            r"木炭.{0,4}(死|自杀)|烧木炭",
            # unless the question is whether it is valid (遗书 for 遗嘱: "我自己写的遗书不公证有法律效力吗")
            r"(我|自己)(写|留)(好|了|下|完)*(一封|一份)?.{0,12}遗书(?!.{0,8}(效力|效益|有效|无效|公证|公正|合法|法律))",
            r"想.{0,4}(高空坠落|从高处)",
            r"我(曾经|已经|也|又|还|之前|以前|上次|今天|昨天|刚刚|刚)?((尝试|试过|试着)过?自杀|自杀未遂)|第[一二三两四五六七八九十\d]次(尝试)?(自杀|割腕|上吊|吃药)",
            r"下次(死|自杀|跳)|(悄悄|偷偷)(地|的)?死|希望自己.{0,4}死|(想|能)死掉",
            r"不想(再)?(为.{0,6})?活着",
            r"(买到?|囤).{0,6}(大剂量|一整瓶|一大瓶).{0,6}(药|安眠)|(集|凑|攒|买).{0,4}致死",
        )
    )
)


# A cut to the wrist or arm, unless something or someone else did it (被玻璃割了手腕, 割草机割伤手臂).
_CUT = re.compile(r"割(开了?|了)?(我的)?(手腕|手臂|大腿|腿上|动脉|静脉)|割一刀")
_NOT_SELF_BEFORE_CUT = ("被", "机")
_CUT_LOOKBACK = 4


def _cuts_self(text: str) -> bool:
    return any(
        not any(w in text[max(0, m.start() - _CUT_LOOKBACK) : m.start()] for w in _NOT_SELF_BEFORE_CUT)
        for m in _CUT.finditer(text)
    )


def threatens_to_kill(text: str) -> bool:
    """Whether the (normalised) text tells of a threat to kill, however it is worded, or of someone
    coming at the writer with a weapon."""
    return _THREAT_TO_KILL.search(text) is not None or _ARMED_CHASE.search(text) is not None


def without_everyday_compounds(text: str) -> str:
    """The (normalised) text with the `EVERYDAY_COMPOUNDS` blanked out."""
    for word in EVERYDAY_COMPOUNDS:
        text = text.replace(word, " ")
    return text


def states_self_harm(text: str) -> bool:
    """Whether the (normalised) text states the writer's intent, plan or method of harming themself."""
    return _SELF_HARM.search(text) is not None or _cuts_self(text)
