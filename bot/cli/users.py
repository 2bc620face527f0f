"""`legalbot users add|list|disable|enable|passwd`: the staff console's accounts."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from ..errors import UserError
from ..store.base import ZONE
from .common import add_db_option, with_store

ROLE_HELP = "viewer 查看员 < reviewer 审核员 < editor 编辑 < admin 管理员"


def _actor() -> str:
    try:
        return f"命令行:{getpass.getuser()}"
    except (KeyError, OSError):
        return "命令行"


def _password(args: argparse.Namespace) -> str:
    """From stdin (one line) with --password-stdin, else asked twice on the terminal."""
    from ..console.accounts import check_password  # noqa: PLC0415 - argon2 only for these commands

    if args.password_stdin:
        return check_password(sys.stdin.readline().rstrip("\r\n"))
    if not sys.stdin.isatty():
        raise UserError("不在终端里运行，无法输入密码；请加 --password-stdin 从标准输入读一行密码")
    first = getpass.getpass(f"{args.name} 的新密码：")
    check_password(first)
    if getpass.getpass("再输入一次：") != first:
        raise UserError("两次输入的密码不一样，账号没有改动")
    return first


def run_add(args: argparse.Namespace) -> int:
    from ..console.accounts import add_account, check_name, check_role  # noqa: PLC0415

    check_name(args.name)
    check_role(args.role)
    password = _password(args)
    account = with_store(args, lambda store: add_account(store, args.name, args.role, password, _actor()), create=True)
    print(f"已创建账号 {account.name}（{account.role_name}）")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ..console.accounts import list_accounts  # noqa: PLC0415

    accounts = with_store(args, list_accounts)
    if not accounts:
        print("还没有账号：legalbot users add 名字 --role admin")
        return 0
    for a in accounts:
        created = dt.datetime.fromtimestamp(a.created_at, ZONE).strftime("%Y-%m-%d")
        print(f"{a.name:<20} {a.role:<9} {a.role_name:<4} {'已停用' if a.disabled else '可用':<4} 创建于 {created}")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    from ..console.accounts import set_disabled  # noqa: PLC0415

    off = args.users_command == "disable"
    account = with_store(args, lambda store: set_disabled(store, args.name, off, _actor()))
    print(f"账号 {account.name} 已{'停用，已登录的会话随即失效' if off else '重新启用'}")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    from ..console.accounts import get_account, set_password  # noqa: PLC0415

    if with_store(args, lambda store: get_account(store, args.name)) is None:
        raise UserError(f"没有名为“{args.name}”的账号（users list 列出全部账号）")
    password = _password(args)
    with_store(args, lambda store: set_password(store, args.name, password, _actor()))
    print(f"账号 {args.name} 的密码已修改，已登录的会话随即失效")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("users", help="staff console accounts: add, list, disable, enable, passwd")
    sub = group.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)

    add = sub.add_parser("add", help="create an account (the password is asked twice, or read from stdin)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, metavar="ROLE", help=ROLE_HELP)
    add.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    add_db_option(add)
    add.set_defaults(run=run_add)

    listing = sub.add_parser("list", help="every account with its role and whether it is disabled")
    add_db_option(listing)
    listing.set_defaults(run=run_list)

    for name, what in (("disable", "disable an account (its sessions end at once)"), ("enable", "enable a disabled account again")):
        cmd = sub.add_parser(name, help=what)
        cmd.add_argument("name", metavar="NAME")
        add_db_option(cmd)
        cmd.set_defaults(run=run_disable)

    passwd = sub.add_parser("passwd", help="set a new password (asked twice, or read from stdin)")
    passwd.add_argument("name", metavar="NAME")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password as one line from stdin")
    add_db_option(passwd)
    passwd.set_defaults(run=run_passwd)
