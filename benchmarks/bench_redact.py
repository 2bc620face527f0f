"""Redaction: precision and recall on the battery and the held-out set, and speed in chars/s.

    .venv/bin/python benchmarks/bench_redact.py [--jieba]

The battery (tests/data/redaction_battery.jsonl) is what the rules were tuned on; the held-out
set (tests/data/redaction_heldout.jsonl) was written afterwards and never tuned on, so its figures
are the honest ones. Then the real questions of the NLU data sets (tests/data/eval.jsonl,
real_questions.jsonl, dev_questions.jsonl: forum and exam questions with no personal data in
them, or very little) — every one redaction changes is printed, as a check of precision on text
nobody wrote for this. Speed: everyday messages, then 100,000-character hostile inputs (long runs
of digits, letters, suffixes and cue words) — each must finish, at a rate that shows the work is
linear. ``--jieba`` also scores jieba's person-name tags on the name cases (needs jieba installed;
it is not a dependency).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store.redact import redact  # noqa: E402
from tests.redaction_battery import BATTERY, HELDOUT, Score, load, score  # noqa: E402

REAL_QUESTIONS = ("eval.jsonl", "real_questions.jsonl", "dev_questions.jsonl")
HOSTILE_CHARS = 100_000
HOSTILE = {
    "one digit": "1",
    "digit space": "1 ",
    "digits and dots": "138.",
    "letters": "a",
    "at signs": "a@",
    "e-mail-like": "x@y.",
    "Chinese numeral": "一",
    "place suffix": "区",
    "road and number": "路1号",
    "name cue": "我叫张",
    "address cue": "住在",
    "plate-like": "渝A1",
    "birthday cue": "生日1985年",
    "everything": "我叫张三住在白岩路12号电话13812345678 ",
}


def print_score(title: str, result: Score) -> None:
    print(f"{title}: {result.cases} cases, {result.ordinary_total} ordinary questions")
    for family, tally in result.families.items():
        print(f"  {family:<20} recall {tally.recall:.3f} ({tally.found}/{tally.found + tally.missed})  precision {tally.precision:.3f}")
    for category, tally in sorted(result.categories.items()):
        print(f"    {category:<10} recall {tally.recall:.2f} ({tally.found}/{tally.found + tally.missed})")
        for miss in tally.misses:
            print(f"      missed: {miss}")
    print(f"  ordinary questions unchanged: {result.ordinary_kept:.3f}")
    for before, after in result.ordinary_changed:
        print(f"      changed: {before} → {after}")


def real_questions() -> None:
    texts = []
    for name in REAL_QUESTIONS:
        path = BATTERY.with_name(name)
        if path.exists():
            texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    changed = [(text, redact(text)) for text in texts if redact(text) != text]
    print(f"real questions changed by redaction: {len(changed)} of {len(texts)}")
    for before, after in changed:
        print(f"      {before[:70]} → {after[:70]}")


def rate(text: str, repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        redact(text)
    return len(text) * repeat / (time.perf_counter() - started)


def jieba_names(path: Path) -> None:
    import jieba  # noqa: PLC0415 - optional, for this comparison only
    import jieba.posseg  # noqa: PLC0415

    jieba.setLogLevel(60)
    cases = load(path)
    names = [c for c in cases if c.category == "name"]
    found = sum(all(item in {w for w, flag in jieba.posseg.cut(c.text) if flag == "nr"} for item in c.pii) for c in names)
    tagged = sum(any(flag == "nr" for _, flag in jieba.posseg.cut(c.text)) for c in cases if c.category == "ordinary")
    print(f"  jieba nr on {path.name}: names found whole {found}/{len(names)}; ordinary questions given a name tag {tagged}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jieba", action="store_true", help="also score jieba.posseg person-name tags")
    args = parser.parse_args()
    print_score("battery (tuned on)", score(redact, load(BATTERY)))
    print_score("held-out (never tuned on)", score(redact, load(HELDOUT)))
    real_questions()
    messages = [c.text for c in load(BATTERY)]
    started = time.perf_counter()
    for _ in range(20):
        for text in messages:
            redact(text)
    elapsed = time.perf_counter() - started
    chars = 20 * sum(map(len, messages))
    print(f"everyday messages: {chars / elapsed:,.0f} chars/s ({elapsed / (20 * len(messages)) * 1e6:.0f} µs a message)")
    for name, unit in HOSTILE.items():
        text = (unit * (HOSTILE_CHARS // len(unit) + 1))[:HOSTILE_CHARS]
        print(f"hostile {name:<16} {HOSTILE_CHARS:,} chars: {rate(text):>12,.0f} chars/s")
    if args.jieba:
        for path in (BATTERY, HELDOUT):
            jieba_names(path)


if __name__ == "__main__":
    main()
