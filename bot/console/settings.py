"""The staff console's tuning numbers, named in one place (`ConsoleSettings`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsoleSettings:
    """Defaults suit a justice bureau's handful of staff; tests shorten the times."""

    idle_seconds: int = 30 * 60  # a session unused this long is over (a shared office PC left open)
    session_max_seconds: int = 12 * 3600  # and none lasts longer than a working day
    touch_seconds: int = 60  # a session's last use is written at most this often
    login_failures: int = 5  # failed logins of one account ...
    address_failures: int = 30  # ... or from one address (a whole office may share one behind NAT) ...
    lockout_seconds: int = 15 * 60  # ... within this window lock further tries until it passes
    max_form_bytes: int = 256 * 1024  # a knowledge edit is a few KiB; anything bigger is refused
    dashboard_days: int = 30  # the dashboard's default period ends today
    top_questions: int = 10  # questions listed in the monthly report
