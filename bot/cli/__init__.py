"""`legalbot`: the command line. Parsing and output only; every command calls the modules."""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

from .. import __version__
from ..errors import UserError

# One module per command group; each has register(subparsers) and sets a `run` default.
COMMAND_MODULES = ("nlu", "chat", "telegram", "serve", "web", "webhook", "deadline", "inquiries", "report", "review", "users", "console")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="legalbot",
        description="万州区公共法律服务咨询机器人 / Wanzhou public legal-service chat bot.",
        epilog="Run `legalbot COMMAND --help` for a command's options. Configuration comes from the environment (see README).",
    )
    parser.add_argument("--version", action="version", version=f"legalbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


def _stop_before_started(signum: int, frame: object) -> None:
    """SIGTERM before a long-running command has its own handlers (while importing, connecting):
    nothing is in hand yet, so stop at once and cleanly."""
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    if threading.current_thread() is threading.main_thread():  # tests call main() from threads too
        signal.signal(signal.SIGTERM, _stop_before_started)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except UserError as exc:
        print(f"legalbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
