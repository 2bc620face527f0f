"""Intent matching on *sounds*: fuzzy example similarity, curated keywords and learned word pairs.

Every example and keyword is indexed once as a *sound string*: each pinyin syllable (or latin
word) becomes one private-use character, so rapidfuzz compares syllable sequences at C speed and
homophone typos or typed pinyin cost nothing extra. A message is scored per intent on three kinds
of evidence:

- **examples**: rapidfuzz similarity (whole string, or the best-aligned part for messages much
  longer or shorter than the example) to the intent's closest example. An inverted index of
  syllable pairs shortlists the examples worth comparing, so cost grows slowly with the set;
- **keywords**: the admins' keywords present in the message, weighted by length, by how many
  intents share the word, and by whether the characters match exactly or only the sounds do;
- **pairs**: syllable pairs (≈ two-character words) that the intent's examples use consistently
  and other intents do not — how a long story that shares no whole phrase with any example
  still gives away its topic (城管…罚款…投诉).

The best of the three, plus a bonus when another kind of evidence agrees, is the sound score. A
second opinion then joins it: the probability a linear classifier over character n-grams
(`classifier`) gives each intent, which generalises better to questions worded unlike every
example. The blend is the score; the top intent wins if it clears ``threshold``; a runner-up
within ``gap`` makes the match ambiguous.
Priority intents (emergency) win whenever one of their keywords is present, so no other intent
can outvote a call for help.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from enum import Enum

import numpy as np
from rapidfuzz import fuzz, process

from . import classifier
from .danger import states_self_harm, threatens_to_kill, without_everyday_compounds
from .knowledge import Knowledge
from .normalise import Normalised, normalise, normalise_known
from .scope import LOCAL_FACT_WORDS, OFFICE_WORDS, asks_about_office_elsewhere, is_exam_question, is_point_of_law, load_place_names

DEFAULT_THRESHOLD = 45.0  # on the blended score
# What the sound evidence alone must reach for the checks made before blending (past harm told,
# a topic put ahead of a service, a problem told beside an office elsewhere).
_EVIDENCE_THRESHOLD = 62.0
# The classifier's share of the score. Chosen with the threshold on two fresh development sets of
# random real posts the knowledge was not written from (tune_e, tune_f: accuracy 0.593 → 0.645,
# out-of-scope rejection 0.757 → 0.860); a larger share loses what only the sounds recognise
# (typos, pinyin, dialect) and the sets the knowledge was written from.
_SECOND_OPINION_SHARE = 0.4
# A short message gives the classifier few n-grams to go on ("前夫一直威胁我，还跟踪我"): below this
# many characters its share shrinks in proportion, and the sounds decide as they did alone.
_FULL_OPINION_CHARS = 16
DEFAULT_GAP = 4.0
_OUT_OF_SCOPE_GAP = 5.0  # an out-of-scope intent this close to the best in-scope one rejects the message
# Just above the threshold a match is unsure: it answers only when it stands clear of every other
# intent. A short message about one problem ("妇产科接生出了问题") scores low but alone; a long
# question from another field touches several of our intents at about the same weak strength.
_UNSURE_BAND = 10.0
_UNSURE_MARGIN = 12.0
_SHORTLIST = 150
_EXAMPLE_COVER_BETA = 2.0
_RATIO_TRUST = 0.6
_KEYWORD_WEIGHT_BY_LENGTH = {1: 0.55, 2: 0.78, 3: 0.86}
_KEYWORD_WEIGHT_LONG = 0.92
_SOUND_ONLY_DISCOUNT = 0.88
_SHORT_SOUND_ONLY_DISCOUNT = 0.3  # a two-syllable sound-alike (住房 ~ 租房) is most often another word
_PAIR_SATURATION = 4.0
_PAIR_MIN_EXAMPLES = 2
_PAIR_PLAIN_LENGTH = 6
_PAIR_LENGTH_POWER = 0.55
_AGREEMENT_SHARE = 0.25
_PRIORITY_KEYWORD_FLOOR = 70.0
# "上个月被车撞晕过去了" tells of past harm: its topic answers it, unless the message also says the
# danger is now (现在, 正在, 救命 …): the emergency intent neither wins by force nor at full weight.
_PAST_MARKERS = ("上个月", "上月", "去年", "前年", "上周", "上星期", "前几天", "几天前", "天前", "个月前", "年前", "以前", "当时", "那时", "上次")
# A question about the sentence (判几年) tells of harm already done, like a past marker; a question
# about compensation does not: "车祸了有人流血，对方要赔多少" still needs 120 first.
_AFTERMATH_MARKERS = ("判多久", "判几年", "会判", "怎么判", "判多少")
_NOW_MARKERS = ("现在", "正在", "马上", "刚刚", "刚才", "救命", "快来", "快点", "此刻", "还在", "又来", "又在")
_PAST_HARM_FACTOR = 0.6
# A death already told of ("我老公自杀了，他的债务要我还吗", "对自杀死因不服要求重新尸检") is a
# question about its aftermath, not a call for help, unless the writer speaks of harming themself
# ("我怕我失控自杀了" is the writer's own fear: 自杀了 counts only after someone else).
_DEATH_TOLD = ("身亡", "自杀死亡", "因自杀", "被逼自杀", "自杀事件", "自杀案", "溺亡", "水死亡", "淹死了", "死因", "尸检", "遗体")
_SOMEONE_ELSE_DIED = re.compile(
    r"(他|她|老公|丈夫|老婆|妻子|儿子|女儿|爸|妈|父亲|母亲|哥|姐|弟|妹|朋友|同事|员工|工人|学生|孩子|邻居|病人|患者)[^我]{0,6}(自杀|跳楼|上吊|喝农药)(了|死)"
)
# Suicide as a legal term: the insurance clause (保险法 第四十四条), the deceased's portrait or name.
_SUICIDE_AS_A_TERM = re.compile(r"自杀.{0,12}(保险|理赔|赔付|保单|条款|肖像|名誉)|(保险|理赔|赔付|保单|条款|肖像|名誉).{0,12}自杀")
_HAN = re.compile(r"[\u4e00-\u9fff]")  # written in characters, not typed pinyin
_OWN_HARM = ("我想", "我要", "我也", "我怕", "我会", "我不想活", "让我死", "我现在", "想自杀", "要自杀", "想死")
_PRIORITY_CLOSE_EXAMPLE = 40.0
_PRIORITY_PAIRS_ONLY_FACTOR = 0.8
_TRUSTED_SOUND_LENGTH = 4  # syllables: a sound-alike this long is a typo, not another word
# Small talk (你好, 谢谢) answers a message that is little more than the greeting itself; "你好，
# 请问签证怎么办" is a question that happens to start politely, so a long message discounts it.
_SMALLTALK_MAX_CHARS = 10
# Out-of-scope intents that win by the question's shape (`scope`), unless someone is in danger.
OFFICES_ELSEWHERE = "offices_elsewhere"
EXAM_QUESTIONS = "exam_questions"
LEGAL_THEORY = "other_legal_fields"
_OFFICE_QUESTION_WORDS = sorted(OFFICE_WORDS + LOCAL_FACT_WORDS, key=len, reverse=True)  # 劳动仲裁 before 仲裁委
# A message about a service *for* a problem ("拖欠工资能申请法律援助吗") is answered by the problem's
# topic, whose answer covers that service: a topic within this window behind a service goes first
# when it still clears the threshold once the service's own words are taken out of the message.
_TOPIC_PREFERENCE_WINDOW = 45.0
_TOPIC_OWN_SHARE = 0.85
_SMALLTALK_LONG_FACTOR = 0.4
_UNKNOWN_SOUND = "\U00100000"
_FIRST_SOUND_CODE = 0xF0000
_MAX_SOUND_CODES = 0x10FFFF - _FIRST_SOUND_CODE - 1  # every code but the last, and never _UNKNOWN_SOUND


class MatchStatus(str, Enum):
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    """An intent and its score out of 100; ``evidence`` is the score before that cap (more than 100
    when the evidence is overwhelming), so two capped intents are still told apart."""

    intent: str
    score: float
    evidence: float = 0.0
    named: bool = False  # one of the intent's keywords stands in the message, in its own characters

    @property
    def strength(self) -> float:
        return max(self.evidence, self.score)


@dataclass(frozen=True)
class Match:
    """The verdict on one message: the winning intent (or None) and the runners-up."""

    intent: str | None
    score: float
    candidates: tuple[Candidate, ...]
    status: MatchStatus
    rejected_by: str | None = None  # the out-of-scope intent that won, whose wording the fallback uses
    unsure: bool = False  # the best intent cleared the threshold but not its runner-up by enough

    def as_dict(self, text: str) -> dict:
        return {
            "text": text,
            "intent": self.intent,
            "score": self.score,
            "candidates": [{"intent": c.intent, "score": c.score} for c in self.candidates],
        }


@dataclass(frozen=True)
class _Keyword:
    sounds: str
    text: str
    intent: int
    weight: float


@dataclass(frozen=True)
class _Hit:
    weight: float
    trusted: bool  # the characters themselves, or a sound-alike long enough not to be chance


@dataclass
class _SoundCodes:
    """Maps syllables to single characters; words never seen in the knowledge share one code."""

    codes: dict[str, str] = field(default_factory=dict)

    def learn(self, sounds: tuple[str, ...]) -> str:
        """Codes for these sounds, new ones added while the private-use planes last (131,070 distinct
        syllables and words, far beyond any real knowledge set; past that, they count as unknown)."""
        return "".join(self._learn_one(s) for s in sounds)

    def _learn_one(self, sound: str) -> str:
        code = self.codes.get(sound)
        if code is None:
            if len(self.codes) >= _MAX_SOUND_CODES:
                return _UNKNOWN_SOUND
            point = _FIRST_SOUND_CODE + len(self.codes)
            code = self.codes[sound] = chr(point if point < ord(_UNKNOWN_SOUND) else point + 1)
        return code

    def encode(self, sounds: tuple[str, ...]) -> str:
        return "".join(self.codes.get(s, _UNKNOWN_SOUND) for s in sounds)


def _tells_of_the_past(text: str) -> bool:
    told = any(m in text for m in _PAST_MARKERS) or any(m in text for m in _AFTERMATH_MARKERS)
    return told and not any(m in text for m in _NOW_MARKERS)


def _stands_clear(score: float, runner_up: float, threshold: float) -> bool:
    """Whether a match is sure: `_UNSURE_BAND` or more above the threshold, or `_UNSURE_MARGIN` clear
    of the next intent."""
    return score >= threshold + _UNSURE_BAND or score - runner_up >= _UNSURE_MARGIN


def _tells_of_a_death(text: str) -> bool:
    told = any(m in text for m in _DEATH_TOLD) or _SOMEONE_ELSE_DIED.search(text) is not None or _SUICIDE_AS_A_TERM.search(text) is not None
    return told and not any(m in text for m in _OWN_HARM)


def _pairs(coded: str) -> set[str]:
    """Adjacent syllable pairs; a one-syllable string is its own pair."""
    if len(coded) == 1:
        return {coded}
    return {coded[i : i + 2] for i in range(len(coded) - 1) if _UNKNOWN_SOUND not in coded[i : i + 2]}


class Matcher:
    """Indexes a `Knowledge` once; `match` is then pure, deterministic and fast."""

    def __init__(self, knowledge: Knowledge, threshold: float = DEFAULT_THRESHOLD, gap: float = DEFAULT_GAP):
        self.knowledge = knowledge
        self.threshold = threshold
        self.gap = gap
        self._ids = knowledge.ids
        self._index = {intent_id: n for n, intent_id in enumerate(self._ids)}
        if OFFICES_ELSEWHERE in self._index:
            load_place_names()
        self._shape_only = [self._index[i] for i in (OFFICES_ELSEWHERE, EXAM_QUESTIONS) if i in self._index]
        self._priority = {n for n, i in enumerate(knowledge.intents) if i.priority}
        self._priority_list = sorted(self._priority)
        self._smalltalk = np.array([i.kind == "smalltalk" for i in knowledge.intents], dtype=bool)
        self._topic_mask = np.array([i.kind == "topic" for i in knowledge.intents], dtype=bool)
        self._service_words = [
            sorted({normalise_known(k).text for k in i.keywords + (i.title,)} - {""}, key=len, reverse=True)
            if i.kind == "service" and not i.priority and not i.out_of_scope
            else []
            for i in knowledge.intents
        ]
        self._service_mask = np.array([bool(words) for words in self._service_words], dtype=bool)
        self._codes = _SoundCodes()
        examples: list[str] = []
        self._example_texts: list[str] = []
        owners: list[int] = []
        self._example_position: dict[tuple[str, int], int] = {}
        for n, intent in enumerate(knowledge.intents):
            for position, example in enumerate(intent.examples):
                coded = self._codes.learn(normalise_known(example).sounds)
                if coded:
                    self._example_position[(intent.id, position)] = len(examples)
                    examples.append(coded)
                    self._example_texts.append(example)
                    owners.append(n)
        self._examples = examples
        self._example_intent = np.array(owners, dtype=np.int32)
        self._postings = self._index_postings()
        self._pair_idf = {p: math.log(1 + len(examples) / len(ids)) for p, ids in self._postings.items()}
        self._max_idf = math.log(1 + len(examples))
        self._example_mass = np.array([sum(self._pair_idf[p] for p in _pairs(e)) or 1.0 for e in examples])
        self._pair_evidence = self._index_pair_evidence()
        self._keywords = self._index_keywords()

    @cached_property
    def _classifier(self) -> classifier.IntentClassifier | None:
        """Trained at the first message or `prepare`, not at indexing: commands that never match
        one (intents check, deadline, users …) do not pay for scikit-learn and the training."""
        return classifier.train(self.knowledge)

    def prepare(self) -> None:
        """Train the second opinion now, so that a server's first message, or the first after a
        knowledge reload, is answered as fast as the rest."""
        _ = self._classifier

    # -- indexing -------------------------------------------------------------------------

    def _index_postings(self) -> dict[str, np.ndarray]:
        postings: dict[str, list[int]] = defaultdict(list)
        for index, coded in enumerate(self._examples):
            for pair in _pairs(coded):
                postings[pair].append(index)
        return {pair: np.array(ids, dtype=np.int32) for pair, ids in postings.items()}

    def _index_pair_evidence(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """For each syllable pair: the intents whose examples use it, and how telling it is.

        Weight = inverse intent frequency × how consistently the intent uses the pair (a pair
        seen in a single example is a coincidence more often than a topic). The out-of-scope
        intents count as one in that frequency: splitting them by field (so that none collects
        every common word) must not change how telling a pair is for the intents that answer.
        """
        group = np.array([-1 if i.out_of_scope else n for n, i in enumerate(self.knowledge.intents)], dtype=np.int32)
        count = len(set(group.tolist()))
        evidence: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for pair, ids in self._postings.items():
            intents, uses = np.unique(self._example_intent[ids], return_counts=True)
            groups = len(set(group[intents].tolist()))
            idf = math.log(count / groups) if count > 1 else 1.0
            if idf <= 0.3:
                continue
            weights = idf * np.minimum(1.0, uses / _PAIR_MIN_EXAMPLES)
            evidence[pair] = (intents, weights)
        return evidence

    def _index_keywords(self) -> dict[str, list[_Keyword]]:
        """Keywords by their whole sound string, so a message is scanned with one dict lookup
        per (position, keyword length) however many keywords there are."""
        owners: dict[str, set[int]] = defaultdict(set)
        parsed: list[tuple[int, Normalised]] = []
        for n, intent in enumerate(self.knowledge.intents):
            for keyword in intent.keywords:
                norm = normalise_known(keyword)
                if norm.sounds:
                    parsed.append((n, norm))
                    owners[norm.text].add(n)
        index: dict[str, list[_Keyword]] = defaultdict(list)
        for n, norm in parsed:
            length = len(norm.text.replace(" ", ""))
            weight = _KEYWORD_WEIGHT_BY_LENGTH.get(length, _KEYWORD_WEIGHT_LONG) / len(owners[norm.text])
            coded = self._codes.learn(norm.sounds)
            index[coded].append(_Keyword(coded, norm.text, n, weight))
        self._keyword_lengths = sorted({len(k) for k in index})
        return dict(index)

    # -- scoring --------------------------------------------------------------------------

    def _keyword_hits(self, query: Normalised, coded: str) -> dict[tuple[int, str], _Hit]:
        """(intent, keyword) → weight for each keyword present; exact characters count more than sounds.
        A call for help's keyword found only inside an everyday word (救命 in 救命钱) is not present."""
        best: dict[tuple[int, str], _Hit] = {}
        spans = (coded[start : start + length] for start in range(len(coded)) for length in self._keyword_lengths)
        for span in spans:
            for kw in self._keywords.get(span, ()):
                exact = kw.text in query.text
                hit = _Hit(kw.weight if exact else kw.weight * self._sound_only_discount(kw), exact or len(kw.sounds) >= _TRUSTED_SOUND_LENGTH)
                key = (kw.intent, kw.text)
                if key not in best or hit.weight > best[key].weight:
                    best[key] = hit
        return self._not_in_everyday_compounds(query, best)

    def _not_in_everyday_compounds(self, query: Normalised, hits: dict[tuple[int, str], _Hit]) -> dict[tuple[int, str], _Hit]:
        """Without the call-for-help keywords found only inside an everyday word (救命 in 救命钱)."""
        if not self._priority:
            return hits
        plain = without_everyday_compounds(query.text)
        if plain == query.text:
            return hits
        return {key: hit for key, hit in hits.items() if key[0] not in self._priority or key[1] in plain}

    def _keyword_scores(self, hits: dict[tuple[int, str], _Hit], trusted_only: bool = False) -> np.ndarray:
        """Noisy-OR of the weights of the keywords present."""
        miss = np.ones(len(self._ids))
        for (intent, _), hit in hits.items():
            if hit.trusted or not trusted_only:
                miss[intent] *= 1.0 - hit.weight
        return 100.0 * (1.0 - miss)

    @staticmethod
    def _sound_only_discount(keyword: _Keyword) -> float:
        """A sound-alike of a two-syllable word is as often another word (老公正在 ≠ 公证) as a typo."""
        return _SOUND_ONLY_DISCOUNT if len(keyword.sounds) > 2 else _SHORT_SOUND_ONLY_DISCOUNT

    def _pair_scores(self, pairs: set[str]) -> np.ndarray:
        """Saturating sum of pair weights; long messages need proportionally more evidence,
        or every intent would saturate on a long story."""
        mass = np.zeros(len(self._ids))
        for pair in pairs:
            if found := self._pair_evidence.get(pair):
                np.add.at(mass, found[0], found[1])
        saturation = _PAIR_SATURATION * max(1.0, (len(pairs) / _PAIR_PLAIN_LENGTH) ** _PAIR_LENGTH_POWER)
        return 100.0 * (1.0 - np.exp(-mass / saturation))

    def _example_scores(self, coded: str, pairs: set[str], exclude: int | None, closest: dict[int, int] | None = None) -> np.ndarray:
        """Best example similarity per intent.

        Two views, the better one counts: informative overlap (IDF-weighted syllable pairs shared
        with the example, as an F-score leaning on how much of the example the message covers —
        so 哪里有/怎么办 alone prove nothing), and rapidfuzz's edit-distance ratio over the whole
        string for near-identical phrasings with typos, trusted in proportion to the informative
        overlap (two short sentences sharing 我想 are not alike). Only examples sharing a pair
        are scored.
        """
        scores = np.zeros(len(self._ids))
        known = [p for p in pairs if p in self._postings]
        if not known:
            return scores
        postings = [self._postings[p] for p in known]
        weights = [np.full(len(ids), self._pair_idf[p]) for p, ids in zip(known, postings)]
        shared = np.bincount(np.concatenate(postings), weights=np.concatenate(weights), minlength=len(self._examples))
        if exclude is not None:
            shared[exclude] = 0.0
        query_mass = sum(self._pair_idf.get(p, self._max_idf) for p in pairs)
        example_cover = shared / self._example_mass
        query_cover = shared / query_mass
        beta2 = _EXAMPLE_COVER_BETA**2
        overlap = np.divide(
            (1 + beta2) * example_cover * query_cover,
            beta2 * query_cover + example_cover,
            out=np.zeros_like(shared),
            where=shared > 0,
        )
        shortlist = np.flatnonzero(shared)
        if len(shortlist) > _SHORTLIST:
            shortlist = shortlist[np.argsort(-overlap[shortlist], kind="stable")[:_SHORTLIST]]
        whole = process.cdist([coded], [self._examples[i] for i in shortlist], scorer=fuzz.ratio, workers=1)[0]
        informative = overlap[shortlist]
        similarity = np.maximum(whole * np.minimum(1.0, _RATIO_TRUST + informative), 100.0 * informative)
        if closest is not None:
            for index, value in sorted(zip(shortlist.tolist(), similarity.tolist()), key=lambda pair: pair[1]):
                closest[int(self._example_intent[index])] = index  # ascending, so the best is kept
        np.maximum.at(scores, self._example_intent[shortlist], similarity)
        return scores

    def scores(self, query: Normalised, exclude: int | None = None) -> np.ndarray:
        """Score per intent (index order of the knowledge); above 100 means overwhelming evidence."""
        coded = self._codes.encode(query.sounds)
        if not coded.strip(_UNKNOWN_SOUND):
            return np.zeros(len(self._ids))
        pairs = _pairs(coded)
        hits = self._keyword_hits(query, coded)
        evidence = np.vstack([self._example_scores(coded, pairs, exclude), self._keyword_scores(hits), self._pair_scores(pairs)])
        if self._priority:
            trusted = self._keyword_scores(hits, trusted_only=True)
            if _HAN.search(query.text):
                # Written in characters, a word that merely sounds like a call for help is another
                # word (果断 is not 割腕); only typed pinyin (jiuming) reaches it by sound alone.
                evidence[1, self._priority_list] = trusted[self._priority_list]
        ordered = np.sort(evidence, axis=0)
        combined = ordered[2] + _AGREEMENT_SHARE * ordered[1]
        if len(query.text.replace(" ", "")) > _SMALLTALK_MAX_CHARS:
            combined[self._smalltalk] *= _SMALLTALK_LONG_FACTOR
        if self._priority:
            # A call for help outvotes everything, but only in its own words: 让我私了 merely sounds
            # like 让我死了. Without any of its words or a close example, the emergency intent has
            # only common word pairs (今天, 我该怎么办) to go on, and a false alarm frightens.
            # Past harm goes to its topic: only when one clears the threshold (a worry about
            # 自杀 beside 以前买了份保险 has none, and stays an emergency).
            # The writer's own harm is never "past" or someone else's: an attempt told of ("当时……
            # 上吊", "我当时要是跳下去") is the risk itself.
            self_harm = states_self_harm(query.text)
            told_as_past = not self_harm and (
                _tells_of_a_death(query.text)
                or (_tells_of_the_past(query.text) and bool((combined[self._topic_mask] >= _EVIDENCE_THRESHOLD).any()))
            )
            shaped = self_harm or threatens_to_kill(query.text)
            for intent in self._priority:
                if told_as_past:
                    combined[intent] *= _PAST_HARM_FACTOR
                elif trusted[intent] >= _PRIORITY_KEYWORD_FLOOR or shaped:
                    combined[intent] = max(combined.max() + 1.0, _PRIORITY_KEYWORD_FLOOR)
                elif evidence[1, intent] == 0 and evidence[0, intent] < _PRIORITY_CLOSE_EXAMPLE:
                    combined[intent] *= _PRIORITY_PAIRS_ONLY_FACTOR
        return combined

    # -- decisions ------------------------------------------------------------------------

    def rank(self, text: str | Normalised, leave_out: tuple[str, int] | None = None, limit: int = 6) -> list[Candidate]:
        """The `limit` intents with the most evidence, best first (ties broken by file order).

        ``leave_out`` = (intent id, example position) scores as if that example were not indexed,
        which is how `intents check` asks whether an example is better served by another intent;
        the sound evidence alone answers that, since the classifier has learned the example itself.
        """
        query = text if isinstance(text, Normalised) else normalise(text)
        exclude = self._example_position.get(leave_out) if leave_out else None
        scores = self.scores(query, exclude)
        topic = self._topic_to_prefer(query, scores, exclude)
        if exclude is None:
            scores = self._with_second_opinion(query, scores)
        scores = self._recognised_out_of_scope(query, self._put_ahead(scores, topic), exclude)
        order = np.argsort(-scores, kind="stable")[:limit]
        coded = self._codes.encode(query.sounds)
        named = {intent for (intent, _), hit in self._keyword_hits(query, coded).items() if hit.weight and query.text and hit.trusted}
        return [
            Candidate(self._ids[i], round(float(min(scores[i], 100.0)), 1), round(float(scores[i]), 1), int(i) in named)
            for i in order
            if scores[i] > 0
        ]

    def _with_second_opinion(self, query: Normalised, scores: np.ndarray) -> np.ndarray:
        """Blend in the classifier's probabilities (`_SECOND_OPINION_SHARE`, less for a short
        message). A call for help that the sounds recognised stands as it is, and the classifier
        never raises the emergency intent: a story of past harm reads much like present danger to it."""
        if self._classifier is None:
            return scores
        top = int(np.argmax(scores))
        if top in self._priority and scores[top] >= _EVIDENCE_THRESHOLD:
            return scores
        opinion = self._classifier.probabilities(query.text)
        opinion[self._priority_list] = 0.0
        share = _SECOND_OPINION_SHARE * min(1.0, len(query.text.replace(" ", "")) / _FULL_OPINION_CHARS)
        return (1.0 - share) * scores + share * 100.0 * opinion

    def _recognised_out_of_scope(self, query: Normalised, scores: np.ndarray, exclude: int | None) -> np.ndarray:
        """Put first the out-of-scope intent a question's shape gives away (see `scope`): an exam
        question about a tenancy is still an exam question, and Wanzhou's notary office is not
        the answer to "北京市朝阳区公证处几点上班", however well the words match. Danger comes
        first; and a problem told beside an office elsewhere keeps its topic, whose answer gives
        national rules and hotlines, good anywhere."""
        # These intents speak only when their shape is seen: by its words alone "你们几点下班"
        # is no office elsewhere, and the wording of that refusal would puzzle.
        shaped = scores.copy()
        shaped[self._shape_only] = 0.0
        top = int(np.argmax(scores))
        if top in self._priority:
            return shaped
        if is_exam_question(query.raw):
            rule = EXAM_QUESTIONS
        elif is_point_of_law(query.text):
            rule = LEGAL_THEORY
        elif (place := asks_about_office_elsewhere(query.text)) and not self._tells_a_problem(query.text, place, exclude):
            rule = OFFICES_ELSEWHERE
        else:
            return shaped
        if (intent := self._index.get(rule)) is not None:
            shaped[intent] = max(float(scores.max()), self.threshold) + self.gap + 1.0
        return shaped

    def _tells_a_problem(self, text: str, place: str, exclude: int | None) -> bool:
        """Whether a topic clears the threshold once the office question's own words are gone
        (广州的劳动仲裁委周末上班吗 names 劳动仲裁 but tells of no dispute)."""
        rest = text.replace(place, " ")
        for word in _OFFICE_QUESTION_WORDS:
            rest = rest.replace(word, " ")
        alone = self.scores(normalise(rest), exclude)
        return bool((alone[self._topic_mask] >= _EVIDENCE_THRESHOLD).any())

    def _topic_to_prefer(self, query: Normalised, scores: np.ndarray, exclude: int | None) -> int | None:
        """The problem to put ahead of the service asked about for it (see `_TOPIC_PREFERENCE_WINDOW`),
        judged on the sound scores."""
        if not self._topic_mask.any():
            return None
        top = self._service_in_contention(scores)
        words = self._service_words[top]
        topic = int(np.argmax(np.where(self._topic_mask, scores, -1.0)))
        if not words or scores[topic] < _EVIDENCE_THRESHOLD or scores[top] - scores[topic] >= _TOPIC_PREFERENCE_WINDOW:
            return None
        rest = query.text
        for word in words:
            rest = rest.replace(word, " ")
        if rest == query.text:
            return None
        # The problem must stand without the service's words, and lead there: 怎么申请 or 准备什么
        # 资料 left over scores many intents alike and proves nothing.
        alone = self.scores(normalise(rest), exclude)
        if int(np.argmax(alone)) != topic or alone[topic] < max(_EVIDENCE_THRESHOLD, _TOPIC_OWN_SHARE * scores[topic]):
            return None
        # and not merely as the first of several weak hints ("公证多久能拿到" leaves 多久能拿到).
        if not _stands_clear(float(alone[topic]), float(np.partition(alone, -2)[-2]), _EVIDENCE_THRESHOLD):
            return None
        return topic

    def _put_ahead(self, scores: np.ndarray, intent: int | None) -> np.ndarray:
        """That intent first, clear of the ambiguity gap (after the blend, so the classifier's
        preference for the service asked about cannot undo it)."""
        if intent is None:
            return scores
        ahead = scores.copy()
        ahead[intent] = float(scores.max()) + self.gap + 1.0
        return ahead

    def _service_in_contention(self, scores: np.ndarray) -> int:
        """The intent that leads, or, when a topic leads, the best service within the ambiguity gap of
        it: 拖欠工资，我想申请法律援助 ties wage_arrears with legal_aid, and "did you mean" between a
        problem and the service asked for it would only delay the answer that covers both."""
        top = int(np.argmax(scores))
        if not self._topic_mask[top] or not self._service_mask.any():
            return top
        best = int(np.argmax(np.where(self._service_mask, scores, -1.0)))
        return best if scores[top] - scores[best] < self.gap else top

    def decide(self, ranked: list[Candidate], threshold: float | None = None, gap: float | None = None) -> Match:
        """Apply the out-of-scope threshold and the ambiguity gap to a ranking.

        An ``out_of_scope`` intent (examples of what the bot does not handle) never becomes the
        match: when it ranks first the message is rejected, and it is left out of the candidates.
        """
        threshold = self.threshold if threshold is None else threshold
        gap = self.gap if gap is None else gap
        in_scope = [c for c in ranked if not self.knowledge[c.intent].out_of_scope]
        candidates = tuple(in_scope[:3])
        by = self._rejected_by(ranked, candidates, threshold)
        if not candidates or candidates[0].score < threshold or by:
            return Match(None, candidates[0].score if candidates else 0.0, candidates, MatchStatus.NONE, by)
        if self._unsure(ranked, candidates[0], threshold):
            return Match(None, candidates[0].score, candidates, MatchStatus.NONE, unsure=True)
        top, runner_up = candidates[0], (candidates[1] if len(candidates) > 1 else None)
        close = runner_up is not None and runner_up.score >= threshold and top.strength - runner_up.strength < gap
        urgent = self.knowledge[top.intent].priority
        status = MatchStatus.AMBIGUOUS if close and not urgent else MatchStatus.MATCHED
        return Match(top.intent, top.score, candidates, status)

    def _unsure(self, ranked: list[Candidate], top: Candidate, threshold: float) -> bool:
        """A weak match (within `_UNSURE_BAND` of the threshold) with another intent, in scope or
        not, less than `_UNSURE_MARGIN` behind it. A call for help is never unsure."""
        if self.knowledge[top.intent].priority:
            return False
        runner_up = next((c.score for c in ranked if c.intent != top.intent), 0.0)
        return not _stands_clear(top.score, runner_up, threshold)

    def _rejected_by(self, ranked: list[Candidate], candidates: tuple[Candidate, ...], threshold: float) -> str | None:
        """The out-of-scope intent that rejects the message: one ranked first, or one within
        `_OUT_OF_SCOPE_GAP` of the best in-scope intent — as unsure as "did you mean", and the
        fallback still offers that intent as a button, while a wrong answer would mislead."""
        rival = next((c for c in ranked if self.knowledge[c.intent].out_of_scope), None)
        if rival is None:
            return None
        if not candidates or ranked[0] is rival:
            return rival.intent
        top = candidates[0]
        if self.knowledge[top.intent].priority or rival.score < threshold or top.strength - rival.strength >= _OUT_OF_SCOPE_GAP:
            return None
        return rival.intent

    def match(self, text: str | Normalised) -> Match:
        return self.decide(self.rank(text))

    def explain(self, text: str, limit: int = 3) -> dict:
        """The match and the evidence behind each leading candidate, for `legalbot match --json` and
        the staff console: the closest example, the keywords found, the word-pair score."""
        query = normalise(text)
        match = self.decide(self.rank(query))
        coded = self._codes.encode(query.sounds)
        pairs = _pairs(coded) if coded.strip(_UNKNOWN_SOUND) else set()
        closest: dict[int, int] = {}
        examples = self._example_scores(coded, pairs, None, closest) if pairs else np.zeros(len(self._ids))
        keywords = self._keyword_hits(query, coded) if pairs else {}
        word_pairs = self._pair_scores(pairs) if pairs else np.zeros(len(self._ids))
        plain = self.scores(query) if pairs else np.zeros(len(self._ids))
        preferred = self._topic_to_prefer(query, plain, None) if pairs else None
        opinion = self._classifier.probabilities(query.text) if self._classifier else np.zeros(len(self._ids))
        explained = []
        for candidate in self.rank(query, limit=limit):
            n = self._index[candidate.intent]
            explained.append(
                {
                    "intent": candidate.intent,
                    "score": candidate.score,
                    "example_score": round(float(examples[n]), 1),
                    "closest_example": self._example_texts[closest[n]] if n in closest else None,
                    "keyword_score": round(float(self._keyword_scores(keywords)[n]), 1),
                    "keywords_found": sorted(word for (owner, word) in keywords if owner == n),
                    "word_pair_score": round(float(word_pairs[n]), 1),
                    "sound_score": round(float(min(plain[n], 100.0)), 1),
                    "classifier_score": round(float(100.0 * opinion[n]), 1),
                    "put_ahead_as_topic": preferred == n,
                }
            )
        return {**match.as_dict(text), "status": match.status.value, "rejected_by": match.rejected_by, "unsure": match.unsure, "evidence": explained}
