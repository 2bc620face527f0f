"""Scores `redact` on tests/data/redaction_battery.jsonl, shared by tests/test_redact.py (floors)
and benchmarks/bench_redact.py (figures).

Per family (numbers and ids; names and addresses): recall is the share of personal items that no
longer appear in the output; precision is the share of placeholders that stand for a personal item
(a placeholder beyond the items removed, or wanted text destroyed, counts against it). Ordinary
questions must come back exactly as typed. A text may appear in several rows, one per kind of
item it holds; it is redacted once and all its items count.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.store.redact import NAME_PLACEHOLDERS, NUMBER_PLACEHOLDERS

BATTERY = Path(__file__).resolve().parent / "data" / "redaction_battery.jsonl"
HELDOUT = BATTERY.with_name("redaction_heldout.jsonl")  # written after tuning, never tuned on
ORDINARY = "ordinary"
NUMBERS, NAMES = "numbers and ids", "names and addresses"
PLACEHOLDERS_OF = {NUMBERS: NUMBER_PLACEHOLDERS, NAMES: NAME_PLACEHOLDERS}


def family_of(category: str) -> str:
    return NAMES if category in ("name", "address") else NUMBERS


@dataclass(frozen=True)
class Case:
    category: str
    text: str
    pii: tuple[str, ...]
    keep: tuple[str, ...]


@dataclass
class Tally:
    found: int = 0
    missed: int = 0
    wrong: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.missed) if self.found + self.missed else 1.0

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.wrong) if self.found + self.wrong else 1.0


@dataclass
class Score:
    families: dict[str, Tally]
    categories: dict[str, Tally]
    ordinary_total: int
    ordinary_changed: list[tuple[str, str]]
    cases: int

    @property
    def ordinary_kept(self) -> float:
        return 1 - len(self.ordinary_changed) / self.ordinary_total


def load(path: Path = BATTERY) -> list[Case]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return [Case(r["category"], r["text"], tuple(r["pii"]), tuple(r["keep"])) for r in rows]


def score(redact: Callable[[str], str], cases: list[Case] | None = None) -> Score:
    cases = load() if cases is None else cases
    by_text: dict[str, list[Case]] = {}
    for case in cases:
        by_text.setdefault(case.text, []).append(case)
    families = {name: Tally() for name in PLACEHOLDERS_OF}
    categories: dict[str, Tally] = {}
    changed: list[tuple[str, str]] = []
    ordinary = 0
    for text, group in by_text.items():
        out = redact(text)
        removed = dict.fromkeys(PLACEHOLDERS_OF, 0)
        for case in group:
            if case.category == ORDINARY:
                ordinary += 1
                if out != text:
                    changed.append((text, out))
                continue
            family = family_of(case.category)
            tally = categories.setdefault(case.category, Tally())
            for item in case.pii:
                gone = item not in out
                removed[family] += gone
                for t in (tally, families[family]):
                    t.found += gone
                    t.missed += not gone
                if not gone:
                    tally.misses.append(f"{text} → {out}")
            lost = sum(k not in out for k in case.keep)
            tally.wrong += lost
            families[family].wrong += lost
        for family, placeholders in PLACEHOLDERS_OF.items():
            placed = sum(out.count(p) for p in placeholders)
            families[family].wrong += max(placed - removed[family], 0)
    return Score(families, categories, ordinary, changed, len(cases))
