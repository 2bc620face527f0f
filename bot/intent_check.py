"""`legalbot intents check`: what `rasa data validate` does, for our intent files.

Errors (exit non-zero): anything that stops the files loading, and the same example under two
intents. Warnings (advice): examples another intent matches better, duplicates within an intent,
service intents without keywords, sources or a `reviewed` date, and reviews older than a year.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .core.knowledge import Knowledge, KnowledgeError, Problem, load_knowledge
from .core.matcher import Matcher
from .core.normalise import clean_text

REVIEW_MAX_AGE = dt.timedelta(days=365)
SMALL_TALK = frozenset({"greeting", "thanks", "goodbye", "help", "human_agent"})


def _duplicates(knowledge: Knowledge) -> list[Problem]:
    problems = []
    seen: dict[str, tuple[str, Path | None, int]] = {}
    for intent in knowledge.intents:
        for example, line in zip(intent.examples, intent.example_lines or [intent.line or 0] * len(intent.examples)):
            key = clean_text(example)
            if key in seen:
                other_id, other_file, other_line = seen[key]
                same = other_id == intent.id
                problems.append(
                    Problem(
                        intent.file,
                        line,
                        f"example '{example}' duplicates {other_file}:{other_line} ({other_id})",
                        "warning" if same else "error",
                    )
                )
            else:
                seen[key] = (intent.id, intent.file, line)
    return problems


def _confusions(knowledge: Knowledge, matcher: Matcher) -> list[Problem]:
    problems = []
    for intent in knowledge.intents:
        for position, (example, line) in enumerate(zip(intent.examples, intent.example_lines)):
            ranked = matcher.rank(example, leave_out=(intent.id, position))
            if ranked and ranked[0].intent != intent.id:
                own = next((c.score for c in ranked if c.intent == intent.id), 0.0)
                if ranked[0].score > own:
                    problems.append(
                        Problem(
                            intent.file,
                            line,
                            f"example '{example}' of {intent.id} matches {ranked[0].intent} better ({ranked[0].score:.0f} > {own:.0f})",
                            "warning",
                        )
                    )
    return problems


def _completeness(knowledge: Knowledge, today: dt.date) -> list[Problem]:
    problems = []
    for intent in knowledge.intents:
        is_service = intent.id not in SMALL_TALK and not intent.priority and not intent.out_of_scope
        if is_service and not intent.sources:
            problems.append(Problem(intent.file, intent.line, f"{intent.id}: no sources (legal basis)", "warning"))
        if is_service and not intent.keywords:
            problems.append(Problem(intent.file, intent.line, f"{intent.id}: no keywords", "warning"))
        if intent.reviewed is None:
            problems.append(Problem(intent.file, intent.line, f"{intent.id}: no 'reviewed' date", "warning"))
        elif today - intent.reviewed > REVIEW_MAX_AGE:
            problems.append(Problem(intent.file, intent.line, f"{intent.id}: reviewed {intent.reviewed}, more than a year ago", "warning"))
    return problems


def check_intents(directory: Path | None = None, today: dt.date | None = None) -> tuple[Knowledge | None, list[Problem]]:
    """Everything wrong or worth a look in an intent folder; errors first, then warnings."""
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as exc:
        return None, exc.problems
    problems = _duplicates(knowledge) + _confusions(knowledge, Matcher(knowledge)) + _completeness(knowledge, today or dt.date.today())
    problems.sort(key=lambda p: (p.severity != "error", str(p.path), p.line or 0))
    return knowledge, problems
