"""Accounts in the console (admins only): list, add, disable or enable, set a password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .accounts import ROLES, AccountError, add_account, list_accounts, set_disabled, set_password
from .app import Section
from .auth import cookie_path, form_of, require


async def _page(request: Request, error: str = "", done: str = "", status: int = 200) -> Response:
    console = request.app.state.console
    accounts = await list_accounts(console.store)
    return console.render(request, "users.html", status, accounts=accounts, roles=ROLES, error=error, done=done)


@require("admin")
async def page(request: Request) -> Response:
    return await _page(request, done=request.query_params.get("done", ""))


@require("admin")
async def change(request: Request) -> Response:
    """One form for every account change; ``do`` says which."""
    console = request.app.state.console
    form = await form_of(request, console.settings.max_form_bytes)
    actor, name, do = request.state.staff.account.name, (form.get("name") or "").strip(), form.get("do")
    try:
        if do == "add":
            await add_account(console.store, name, form.get("role") or "", form.get("password") or "", actor)
            done = f"已创建账号 {name}"
        elif do in ("disable", "enable"):
            if name == actor and do == "disable":
                raise AccountError("不能停用自己正在使用的账号")
            await set_disabled(console.store, name, do == "disable", actor)
            done = f"账号 {name} 已{'停用' if do == 'disable' else '启用'}"
        elif do == "passwd":
            await set_password(console.store, name, form.get("password") or "", actor)
            done = f"账号 {name} 的密码已修改"
        else:
            raise AccountError("不认识的操作")
    except AccountError as exc:
        return await _page(request, error=str(exc), status=400)
    return RedirectResponse(cookie_path(request) + "users?done=" + done, 303)


SECTION = Section(
    routes=(Route("/users", page, methods=["GET"]), Route("/users", change, methods=["POST"])),
    path="users",
    title="账号管理",
    role="admin",
)
