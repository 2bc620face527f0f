"""A second opinion learned from the examples: character n-grams and a linear classifier.

The sound-based matcher recognises a message close to an example, a typo or typed pinyin, and can
say which evidence decided. On questions worded unlike every example — most of what people
really post — a model that weighs every character n-gram of every example against all intents at
once ranks the right intent first more often. Measured on two fresh development sets of random
real posts that the knowledge was never written from (tune_e, tune_f): accuracy 0.593 → 0.645 and
out-of-scope rejection 0.757 → 0.860 when the two are blended (see `Matcher`).

scikit-learn does the learning: TF-IDF over character 1–3-grams of the normalised text, and a
multinomial logistic regression fitted by SAGA for a fixed number of passes with a fixed seed, so
training is deterministic, takes about a second for the shipped knowledge, and grows with
examples × intents (a one-vs-rest model would grow with their square). Trained models are kept
per set of examples: every matcher built on the same knowledge in one process shares one.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .knowledge import Knowledge
from .normalise import normalise_known

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

_NGRAMS = (1, 3)  # characters: 1-grams carry the single-character words (骗, 撞, 打)
_INVERSE_PENALTY = 10.0  # scikit-learn's C: weak regularisation, the examples are few per intent
_PASSES = 15  # over the examples; more change no decision measurably on the development sets
_SEED = 0
_CACHED_MODELS = 8  # knowledge versions kept trained at once (staff edits build new ones)


@dataclass(frozen=True)
class IntentClassifier:
    """Probabilities per intent, in the knowledge's index order (0 for intents without examples)."""

    vectorizer: TfidfVectorizer
    model: LogisticRegression
    columns: np.ndarray  # knowledge index → model column, -1 when the intent has no example
    size: int

    def probabilities(self, text: str) -> np.ndarray:
        """For a message's cleaned text (`Normalised.text`), as the examples were trained."""
        row = self.model.predict_proba(self.vectorizer.transform([text]))[0]
        out = np.zeros(self.size)
        known = self.columns >= 0
        out[known] = row[self.columns[known]]
        return out


def train(knowledge: Knowledge) -> IntentClassifier | None:
    """The classifier for this knowledge, or None when fewer than two intents have examples."""
    return _train(tuple((intent.id, intent.examples) for intent in knowledge.intents))


@lru_cache(maxsize=_CACHED_MODELS)
def _train(examples: tuple[tuple[str, tuple[str, ...]], ...]) -> IntentClassifier | None:
    # Imported here: scikit-learn takes about a second to load, paid only by a process that matches.
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [normalise_known(text).text for _, owned in examples for text in owned]
    labels = [intent for intent, owned in examples for _ in owned]
    if len(set(labels)) < 2:
        return None
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=_NGRAMS, sublinear_tf=True)
    features = vectorizer.fit_transform(texts)
    model = LogisticRegression(solver="saga", C=_INVERSE_PENALTY, max_iter=_PASSES, random_state=_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of passes is the intent
        model.fit(features, labels)
    column = {label: n for n, label in enumerate(model.classes_)}
    columns = np.array([column.get(intent, -1) for intent, _ in examples], dtype=np.int64)
    return IntentClassifier(vectorizer, model, columns, len(examples))
