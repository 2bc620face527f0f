"""Grouping questions that ask the same thing in different words, for the review queue.

Residents rephrase freely (我家狗被邻居家的狗咬了谁赔 / 狗被邻居狗咬了赔偿找谁), so texts are
compared as *sets of content syllables*: `bot.core.normalise` folds script, dialect and homophone typos,
and filler (pronouns, particles, question words, the district's own name) is dropped, so word
order and phrasing don't matter. Syllables are weighted by how rare they are in a background
text (the intents' examples): 狗 says more about a question than 家, which half the examples
share. Each syllable becomes a private character repeated by its weight; rapidfuzz's `ratio`
on the sorted strings is then exactly the weighted Dice overlap of the two sets.

Grouping is greedy and deterministic: the question with the most similar neighbours (ties: the
oldest) founds a cluster with all its still-unassigned neighbours; repeat. A cluster is thus a
"star" around one question and cannot drift by chaining through loosely related ones.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from ..core.normalise import clean_text, sounds_of

SIMILARITY = 45.0  # weighted overlap, percent: nearly half of the two questions' content in common

# Characters that say nothing about the topic: pronouns, particles, auxiliaries, question words.
FILLER = frozenset(
    "我你您他她它们咱的地得了着过吗呢吧啊呀哦嘛哈啦么把被给在是有和跟与及或就都也还又很太再才"
    "要会能可以想该应怎样啥什谁哪个几多少为何如这那些请问下一点找办去到"
)
# Words every resident of the district shares, which make unrelated questions look alike.
FILLER_WORDS = ("万州", "重庆")
_FIRST_CODE = 0x20000  # outside the BMP: no clash with real characters, no surrogates


def signature(text: str) -> frozenset[str]:
    """The content syllables of a message; a message with none is keyed by its whole text."""
    cleaned = clean_text(text)
    content = cleaned
    for word in FILLER_WORDS:
        content = content.replace(word, "")
    sounds = frozenset(sounds_of("".join(c for c in content if c not in FILLER)))
    return sounds or frozenset({"\0" + cleaned})


def rarity_weights(background: Iterable[str]) -> dict[str, int]:
    """Syllable → integer weight, 2·ln((N+1)/(df+1)) rounded, at least 1; unseen syllables weigh most."""
    documents = [signature(text) for text in dict.fromkeys(background)]
    frequency = Counter(s for document in documents for s in document)
    unseen = max(1, round(2 * math.log(len(documents) + 1)))
    weights = {s: max(1, round(2 * math.log((len(documents) + 1) / (n + 1)))) for s, n in frequency.items()}
    weights[""] = unseen  # looked up for syllables the background never used
    return weights


def cluster(texts: Sequence[str], background: Iterable[str] = (), threshold: float = SIMILARITY) -> list[list[int]]:
    """Indices of ``texts`` grouped by similarity, biggest group first (ties: oldest first)."""
    weights = rarity_weights(background)
    signatures = {text: signature(text) for text in dict.fromkeys(texts)}
    groups: dict[frozenset[str], list[int]] = {}
    for index, text in enumerate(texts):
        groups.setdefault(signatures[text], []).append(index)
    keys = list(groups)
    codes = {s: chr(_FIRST_CODE + n) for n, s in enumerate(sorted(set().union(*keys)))}
    encoded = ["".join(sorted(codes[s] * weights.get(s, weights[""]) for s in key)) for key in keys]
    neighbours = [
        [j for _, _, j in process.extract(code, encoded, scorer=fuzz.ratio, score_cutoff=threshold, limit=None) if j != i]
        for i, code in enumerate(encoded)
    ]
    size = [len(groups[key]) for key in keys]
    degree = [size[i] + sum(size[j] for j in neighbours[i]) for i in range(len(keys))]
    left = dict.fromkeys(range(len(keys)))  # insertion-ordered: ties go to the oldest
    found = []
    while left:
        centre = max(left, key=lambda i: degree[i])
        members = [centre] + [j for j in neighbours[centre] if j in left]
        for member in members:
            del left[member]
            for j in neighbours[member]:
                degree[j] -= size[member]
        found.append(sorted(index for member in members for index in groups[keys[member]]))
    found.sort(key=lambda indices: (-len(indices), indices[0]))
    return found
