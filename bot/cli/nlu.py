"""`legalbot match`, `legalbot eval` and `legalbot intents check`: the NLU tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.matcher import Matcher
from ..evaluation import evaluate, load_examples
from ..intent_check import check_intents
from . import knowledge as knowledge_cli
from .common import add_intents_option, input_lines, intents_dir, knowledge_from, print_json


def run_match(args: argparse.Namespace) -> int:
    matcher = Matcher(knowledge_from(args))
    for text in input_lines(args.text):
        if args.json:
            print_json(matcher.explain(text))
        else:
            match = matcher.match(text)
            others = ", ".join(f"{c.intent} {c.score:.0f}" for c in match.candidates[1:])
            verdict = match.intent or "(no match)"
            print(f"{verdict:<24} {match.score:5.1f}  {match.status.value:<9} {text}" + (f"   [{others}]" if others else ""))
    return 0


PER_KIND_HEADINGS = (("topic", "per topic:"), ("service", "per service:"), ("emergency", "emergency:"), ("smalltalk", "small talk:"), ("out_of_scope", "out of scope:"), ("unknown", "not in the intents:"))


def _print_eval(report: dict) -> None:
    print(f"examples: {report['examples']}   threshold: {report['threshold']}   gap: {report['gap']}")
    print(f"accuracy:               {report['accuracy']:.3f}")
    print(f"  topic or its service:  {report['accuracy_lenient']:.3f}")
    print(f"in-scope accuracy:      {report['in_scope_accuracy']:.3f}")
    print(f"out-of-scope rejection: {report['out_of_scope_rejection']:.3f}")
    if report["emergency_recall"] is not None:
        print(f"emergency recall:       {report['emergency_recall']:.3f}")
    print(f"false emergencies:      {len(report['false_emergencies'])}")
    for kind, heading in PER_KIND_HEADINGS:
        rows = {i: r for i, r in report["per_intent"].items() if r["kind"] == kind}
        if rows:
            print(f"\n{heading:<26}precision  recall     f1  support")
            for intent, r in rows.items():
                print(f"  {intent:<24} {r['precision']:6.3f}  {r['recall']:6.3f} {r['f1']:6.3f}  {r['support']:7d}")
    if report["confused_pairs"]:
        print("\nmost confused (expected → predicted):")
        for pair in report["confused_pairs"]:
            print(f"  {pair['count']:3d}  {pair['expected']} → {pair['predicted']}")
    print("\nthreshold sweep:  threshold  accuracy  oos-rejection  false-rejection")
    for row in report["threshold_sweep"]:
        mark = " ←" if row["threshold"] == report["threshold"] else ""
        print(f"                  {row['threshold']:9d}  {row['accuracy']:8.3f}  {row['out_of_scope_rejection']:13.3f}  {row['false_rejection']:15.3f}{mark}")
    if report["errors"]:
        print("\nerrors:")
        for e in report["errors"]:
            print(f"  line {e['line']}: expected {e['expected']}, got {e['predicted']} ({e['score']:.0f}): {e['text']}")


def run_eval(args: argparse.Namespace) -> int:
    examples = load_examples(args.file)
    kwargs = {"threshold": args.threshold} if args.threshold is not None else {}
    report = evaluate(Matcher(knowledge_from(args), **kwargs), examples)
    if args.json:
        print_json(report)
    else:
        _print_eval(report)
    return 0


def run_check(args: argparse.Namespace) -> int:
    directory = args.dir or intents_dir(args)
    knowledge, problems = check_intents(directory)
    for problem in problems:
        if problem.severity == "error" or not args.quiet:
            print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if knowledge:
        examples = sum(len(i.examples) for i in knowledge.intents)
        print(f"{directory}: {len(knowledge.intents)} 个意图，{examples} 个例句 — {errors} 个错误，{warnings} 个提醒")
    else:
        print(f"{directory}: {errors} 个错误，文件无法加载", file=sys.stderr)
    return 1 if errors else 0


def register(commands: argparse._SubParsersAction) -> None:
    match = commands.add_parser("match", help="classify messages (arguments, or one per stdin line)")
    match.add_argument("text", nargs="*", metavar="TEXT", help="message(s) to classify; none: read stdin lines")
    match.add_argument("--json", action="store_true", help="one JSON object per message")
    add_intents_option(match)
    match.set_defaults(run=run_match)

    ev = commands.add_parser("eval", help="accuracy, per-intent P/R/F1, confusions and a threshold sweep on a JSONL file")
    ev.add_argument("file", type=Path, metavar="FILE.jsonl", help='lines of {"text": ..., "intent": "<id>" or null}')
    ev.add_argument("--json", action="store_true", help="the whole report as one JSON object")
    ev.add_argument("--threshold", type=float, help="out-of-scope threshold to evaluate at (default: the bot's)")
    add_intents_option(ev)
    ev.set_defaults(run=run_eval)

    intents = commands.add_parser("intents", help="work with the intent YAML files")
    intents_commands = intents.add_subparsers(dest="intents_command", metavar="SUBCOMMAND", required=True)
    check = intents_commands.add_parser("check", help="validate the intent files; non-zero exit on errors")
    check.add_argument("dir", nargs="?", type=Path, metavar="DIR", help="intent folder (default: --intents, $LEGALBOT_INTENTS or the shipped one)")
    check.add_argument("--quiet", "-q", action="store_true", help="print errors only, not warnings")
    add_intents_option(check)
    check.set_defaults(run=run_check)
    knowledge_cli.register(intents_commands)  # export / import of the knowledge revisions
