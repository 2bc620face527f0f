"""`legalbot deadline KIND --known|--received DATE [--json]`: the statutory deadline calculator."""

from __future__ import annotations

import argparse

from ..flows.deadline import DEADLINE_KINDS, compute_deadline, format_deadline, parse_date
from .common import print_json

# Each period runs from a different day, and the option says which: the day one learned of the act,
# or the day the review decision was received.
START_OPTIONS = {
    "administrative-review": "known",
    "administrative-litigation": "known",
    "litigation-after-review": "received",
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
        help="last day to apply for administrative review or to sue (weekends and public holidays rolled over)",
    )
    kinds = deadline.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, rule in DEADLINE_KINDS.items():
        option = START_OPTIONS[kind]
        parser = kinds.add_parser(kind, help=f"{rule.title}（{rule.period}）")
        parser.add_argument(
            f"--{option}",
            dest="start",
            required=True,
            metavar="YYYY-MM-DD",
            help=f"{rule.start_label} (also 2025年8月2日); that day itself is not counted",
        )
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
        parser.set_defaults(run=run_deadline)
