"""`legalbot deadline KIND --<start> DATE [--json]`: the statutory deadline calculator."""

from __future__ import annotations

import argparse

from ..flows.deadline import DEADLINE_KINDS, compute_deadline, format_deadline, parse_date
from .common import print_json

# Each period runs from a different day, and the option says which: the day one learned of the act
# or of the harm, the day the review decision was received, the day of the injury, the day a judgment
# took effect, the day a mediation agreement took effect.
START_OPTIONS = {
    "administrative-review": "known",
    "administrative-litigation": "known",
    "litigation-after-review": "received",
    "labour-arbitration": "known",
    "work-injury": "injured",
    "civil-limitation": "known",
    "enforcement": "effective",
    "judicial-confirmation": "agreement",
}


def run_deadline(args: argparse.Namespace) -> int:
    deadline = compute_deadline(args.kind, parse_date(args.start))
    if args.json:
        print_json(deadline.as_dict())
    else:
        print(format_deadline(deadline))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    deadline = commands.add_parser(
        "deadline",
        help="last day of a statutory period: administrative review or suit, labour arbitration, work-injury "
        "recognition, civil limitation, enforcement, judicial confirmation (rest days rolled over)",
        description="Last day of a statutory period; the start day is not counted and a last day on a weekend "
        "or public holiday moves to the next working day (调休 working days count as working days).",
    )
    kinds = deadline.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, rule in DEADLINE_KINDS.items():
        option = START_OPTIONS[kind]
        summary = f"{rule.title}（{rule.period}，{rule.basis[0]}）"
        parser = kinds.add_parser(kind, help=summary, description=summary)
        parser.add_argument(
            f"--{option}",
            dest="start",
            required=True,
            metavar="YYYY-MM-DD",
            help=f"{rule.start_label} (also 2025年8月2日); that day itself is not counted",
        )
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.set_defaults(run=run_deadline)
