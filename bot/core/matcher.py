"""Intent matching: fuzzy similarity to examples plus keyword evidence, both on sounds.

Every example and keyword is indexed once as a *sound string*: each pinyin syllable (or latin
word) becomes one private-use character, so rapidfuzz compares syllable sequences at C speed and
homophone typos or typed pinyin cost nothing extra. A message is then scored against

- the examples, with rapidfuzz's WRatio (whole-string or best-substring similarity, so long
  stories still meet the short example they contain), best example per intent;
- the keywords found in it, weighted by length, by how many intents share the word, and by
  whether the characters match exactly or only the sounds do.

The intent with the best combined score wins if it clears ``threshold``; a runner-up within
``gap`` makes the match ambiguous. Priority intents (emergency) win whenever one of their
keywords is present, so no other intent can outvote a call for help.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum

from rapidfuzz import fuzz, process

from .knowledge import Knowledge
from .normalise import Normalised, normalise

DEFAULT_THRESHOLD = 60.0
DEFAULT_GAP = 4.0
_EXAMPLE_SHORTLIST = 40
_KEYWORD_WEIGHT_BY_LENGTH = {1: 0.55, 2: 0.78, 3: 0.86}
_KEYWORD_WEIGHT_LONG = 0.92
_SOUND_ONLY_DISCOUNT = 0.88
_AGREEMENT_BONUS = 6.0
_PRIORITY_KEYWORD_FLOOR = 70.0


class MatchStatus(str, Enum):
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    intent: str
    score: float


@dataclass(frozen=True)
class Match:
    """The verdict on one message: the winning intent (or None) and the runners-up."""

    intent: str | None
    score: float
    candidates: tuple[Candidate, ...]
    status: MatchStatus

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


@dataclass
class _SoundCodes:
    """Maps syllables to single characters; words never seen in the knowledge get a shared code."""

    codes: dict[str, str] = field(default_factory=dict)

    def learn(self, sounds: tuple[str, ...]) -> str:
        return "".join(self.codes.setdefault(s, chr(0xF0000 + len(self.codes))) for s in sounds)

    def encode(self, sounds: tuple[str, ...]) -> str:
        return "".join(self.codes.get(s, "\U00100000") for s in sounds)


class Matcher:
    """Indexes a `Knowledge` once; `match` is then pure, deterministic and fast."""

    def __init__(self, knowledge: Knowledge, threshold: float = DEFAULT_THRESHOLD, gap: float = DEFAULT_GAP):
        self.knowledge = knowledge
        self.threshold = threshold
        self.gap = gap
        self._ids = knowledge.ids
        self._priority = {n for n, i in enumerate(knowledge.intents) if i.priority}
        self._codes = _SoundCodes()
        self._example_sounds: list[str] = []
        self._example_intent: list[int] = []
        self._example_position: dict[tuple[str, int], int] = {}
        for n, intent in enumerate(knowledge.intents):
            for position, example in enumerate(intent.examples):
                coded = self._codes.learn(normalise(example).sounds)
                if coded:
                    self._example_position[(intent.id, position)] = len(self._example_sounds)
                    self._example_sounds.append(coded)
                    self._example_intent.append(n)
        self._keywords = self._index_keywords()

    def _index_keywords(self) -> dict[str, list[_Keyword]]:
        owners: dict[str, set[int]] = defaultdict(set)
        parsed: list[tuple[int, Normalised]] = []
        for n, intent in enumerate(self.knowledge.intents):
            for keyword in intent.keywords:
                norm = normalise(keyword)
                if norm.sounds:
                    parsed.append((n, norm))
                    owners[norm.text].add(n)
        index: dict[str, list[_Keyword]] = defaultdict(list)
        for n, norm in parsed:
            length = len(norm.sounds)
            weight = _KEYWORD_WEIGHT_BY_LENGTH.get(length, _KEYWORD_WEIGHT_LONG) / len(owners[norm.text])
            coded = self._codes.learn(norm.sounds)
            index[coded[0]].append(_Keyword(coded, norm.text, n, weight))
        return dict(index)

    def _keyword_scores(self, query: Normalised, coded: str) -> dict[int, float]:
        """Noisy-OR of the weights of the keywords present; exact characters count more than sounds."""
        best: dict[tuple[int, str], float] = {}
        for start, code in enumerate(coded):
            for kw in self._keywords.get(code, ()):
                if coded.startswith(kw.sounds, start):
                    weight = kw.weight if kw.text in query.text else kw.weight * _SOUND_ONLY_DISCOUNT
                    key = (kw.intent, kw.text)
                    best[key] = max(best.get(key, 0.0), weight)
        miss: dict[int, float] = defaultdict(lambda: 1.0)
        for (intent, _), weight in best.items():
            miss[intent] *= 1.0 - weight
        return {intent: 100.0 * (1.0 - m) for intent, m in miss.items()}

    def _example_scores(self, coded: str, exclude: int | None = None) -> dict[int, float]:
        scores: dict[int, float] = {}
        hits = process.extract(coded, self._example_sounds, scorer=fuzz.WRatio, limit=_EXAMPLE_SHORTLIST, score_cutoff=30)
        for _, score, index in hits:
            if index == exclude:
                continue
            intent = self._example_intent[index]
            scores[intent] = max(scores.get(intent, 0.0), score)
        return scores

    def scores(self, query: Normalised, exclude: int | None = None) -> dict[int, float]:
        coded = self._codes.encode(query.sounds)
        if not coded:
            return {}
        by_example = self._example_scores(coded, exclude)
        by_keyword = self._keyword_scores(query, coded)
        combined: dict[int, float] = {}
        for intent in by_example.keys() | by_keyword.keys():
            ex, kw = by_example.get(intent, 0.0), by_keyword.get(intent, 0.0)
            score = max(ex, kw) + (_AGREEMENT_BONUS if min(ex, kw) >= 50 else 0.0)
            combined[intent] = min(100.0, score)
        for intent in self._priority:
            if by_keyword.get(intent, 0.0) >= _PRIORITY_KEYWORD_FLOOR:
                combined[intent] = max(combined.values()) + 1.0
        return combined

    def rank(self, text: str | Normalised, leave_out: tuple[str, int] | None = None) -> list[Candidate]:
        """Every intent with any evidence, best first (ties broken by file order).

        ``leave_out`` = (intent id, example position) scores as if that example were not indexed,
        which is how `intents check` asks whether an example is better served by another intent.
        """
        query = text if isinstance(text, Normalised) else normalise(text)
        exclude = self._example_position.get(leave_out) if leave_out else None
        ranked = sorted(self.scores(query, exclude).items(), key=lambda item: (-item[1], item[0]))
        return [Candidate(self._ids[i], round(min(s, 100.0), 1)) for i, s in ranked]

    def decide(self, ranked: list[Candidate], threshold: float | None = None, gap: float | None = None) -> Match:
        """Apply the out-of-scope threshold and the ambiguity gap to a ranking."""
        threshold = self.threshold if threshold is None else threshold
        gap = self.gap if gap is None else gap
        candidates = tuple(ranked[:3])
        if not candidates or candidates[0].score < threshold:
            return Match(None, candidates[0].score if candidates else 0.0, candidates, MatchStatus.NONE)
        top, runner_up = candidates[0], (candidates[1] if len(candidates) > 1 else None)
        close = runner_up is not None and runner_up.score >= threshold and top.score - runner_up.score < gap
        urgent = self.knowledge[top.intent].priority
        status = MatchStatus.AMBIGUOUS if close and not urgent else MatchStatus.MATCHED
        return Match(top.intent, top.score, candidates, status)

    def match(self, text: str | Normalised) -> Match:
        return self.decide(self.rank(text))
