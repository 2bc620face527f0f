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
per set of examples: every matcher built on the same knowledge in one process shares one, and the
next process loads it from the user cache folder (`platformdirs`, so ``XDG_CACHE_HOME`` moves it
on Linux) instead of training again. A model is filed under a hash of everything that decides it
— the cleaned example texts and their intents, the settings below, scikit-learn's version — so an
edit never meets a stale model; a folder that cannot be written only costs the training.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import warnings
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from platformdirs import user_cache_path

from .knowledge import Knowledge
from .normalise import normalise_known

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

_NGRAMS = (1, 3)  # characters: 1-grams carry the single-character words (骗, 撞, 打)
_INVERSE_PENALTY = 10.0  # scikit-learn's C: weak regularisation, the examples are few per intent
_PASSES = 15  # over the examples; more change no decision measurably on the development sets
_SEED = 0
_CACHED_MODELS = 8  # knowledge versions kept trained at once, in memory and on disk (staff edits build new ones)
_CACHE_FOLDER = "models"  # under the user cache folder of the application
_STORED = ".pickle"

log = logging.getLogger(__name__)
Examples = tuple[tuple[str, tuple[str, ...]], ...]  # (intent id, its examples), in knowledge order


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
def _train(examples: Examples) -> IntentClassifier | None:
    texts, labels = _training_set(examples)
    if len(set(labels)) < 2:
        return None
    path = _cache_folder() / f"{_fingerprint([intent for intent, _ in examples], texts, labels)}{_STORED}"
    return _stored(path) or _kept(path, _fit(examples, texts, labels))


def _training_set(examples: Examples) -> tuple[list[str], list[str]]:
    """The cleaned example texts and, for each, its intent."""
    texts = [normalise_known(text).text for _, owned in examples for text in owned]
    return texts, [intent for intent, owned in examples for _ in owned]


def _fit(examples: Examples, texts: list[str], labels: list[str]) -> IntentClassifier:
    """The model for ``examples``, from their `_training_set`."""
    # Imported here: scikit-learn takes about a second to load, paid only by a process that matches.
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=_NGRAMS, sublinear_tf=True)
    features = vectorizer.fit_transform(texts)
    model = LogisticRegression(solver="saga", C=_INVERSE_PENALTY, max_iter=_PASSES, random_state=_SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed number of passes is the intent
        model.fit(features, labels)
    column = {label: n for n, label in enumerate(model.classes_)}
    columns = np.array([column.get(intent, -1) for intent, _ in examples], dtype=np.int64)
    return IntentClassifier(vectorizer, model, columns, len(examples))


def _cache_folder() -> Path:
    return user_cache_path("legalbot") / _CACHE_FOLDER


def _fingerprint(intents: list[str], texts: list[str], labels: list[str]) -> str:
    """Everything a trained model depends on, hashed: the intents in order (a model's columns
    follow it), the training set, the settings and scikit-learn's version."""
    settings = [version("scikit-learn"), _NGRAMS, _INVERSE_PENALTY, _PASSES, _SEED]
    return hashlib.sha256(json.dumps([settings, intents, texts, labels], ensure_ascii=False).encode()).hexdigest()


def _stored(path: Path) -> IntentClassifier | None:
    """The model filed at ``path`` (by this user, under its fingerprint), or None."""
    try:
        with path.open("rb") as file:
            classifier = pickle.load(file)
    except OSError:  # none kept yet, or a folder that cannot be read
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file is retrained over, never fatal
        log.warning("kept model %s unreadable (%s); training again", path, exc)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: the last to be evicted
    return classifier if isinstance(classifier, IntentClassifier) else None


def _kept(path: Path, classifier: IntentClassifier) -> IntentClassifier:
    """Files the model at ``path`` (written whole, then renamed, so a reader never sees half) and
    drops all but the most recently used ones."""
    partial = path.with_name(f"{path.stem}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the examples include taught questions
        with partial.open("wb") as file:
            pickle.dump(classifier, file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
        kept = sorted(path.parent.glob(f"*{_STORED}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[_CACHED_MODELS:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.info("trained model not kept in %s: %s", path.parent, exc)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return classifier
