"""The one base class for mistakes a user or admin can make and fix (bad YAML, bad date, unknown id).

The command line prints these as plain messages with exit code 2; anything else is a bug.
"""


class UserError(Exception):
    """Shown to the person as it is, without a traceback."""
