"""The staff console's accounts and safety, through the real CLI and a real `legalbot console`
process over an SQLite file: users add/list/disable/passwd, login, CSRF, roles, throttling, logout,
and the audit rows every change leaves."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from .conftest import run_cli
from .web_server import running_web

PASSWORDS = {"ada": "ada-password-1", "vic": "vic-password-1", "eve": "eve-password-1"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(db: Path, name: str, role: str) -> None:
    result = run_cli("users", "add", name, "--role", role, "--password-stdin", "--db", str(db), stdin=PASSWORDS[name] + "\n")
    assert result.returncode == 0, result.stderr
    assert f"已创建账号 {name}" in result.stdout


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("console")
    db = folder / "inquiries.sqlite3"
    add_user(db, "ada", "admin")  # the first account of a fresh install: the database is created
    add_user(db, "vic", "viewer")
    add_user(db, "eve", "editor")
    with running_web(db, folder / "console.log", command="console", ready="/healthz") as server:
        server.db = db
        yield server


def login(base: str, name: str, password: str | None = None) -> tuple[httpx.Client, httpx.Response]:
    client = httpx.Client(base_url=base + "/console", follow_redirects=False, timeout=30)
    form = client.get("/login")
    token = CSRF.search(form.text)[1]
    response = client.post("/login", data={"csrf_token": token, "username": name, "password": password or PASSWORDS[name]})
    return client, response


def csrf_of(client: httpx.Client) -> str:
    return CSRF.search(client.get("/").text)[1]


def test_users_cli_lists_refuses_duplicates_and_weak_passwords(console) -> None:
    listed = run_cli("users", "list", "--db", str(console.db))
    assert re.search(r"ada\s+admin\s+管理员\s+可用", listed.stdout)
    again = run_cli("users", "add", "ada", "--role", "viewer", "--password-stdin", "--db", str(console.db), stdin="another-long-one\n")
    assert again.returncode == 2 and "已经存在" in again.stderr
    weak = run_cli("users", "add", "tom", "--role", "viewer", "--password-stdin", "--db", str(console.db), stdin="short\n")
    assert weak.returncode == 2 and "密码太短" in weak.stderr
    role = run_cli("users", "add", "tom", "--role", "boss", "--password-stdin", "--db", str(console.db), stdin="long-enough-pw\n")
    assert role.returncode == 2 and "没有“boss”这个角色" in role.stderr
    no_tty = run_cli("users", "add", "tom", "--role", "viewer", "--db", str(console.db), stdin="")
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr


def test_login_leads_to_the_dashboard_with_a_strict_httponly_cookie(console) -> None:
    client, response = login(console.base, "ada")
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; behind TLS it is Secure
    page = client.get("/")
    assert page.status_code == 200 and "<h1>仪表盘</h1>" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_wrong_password_unknown_name_and_missing_csrf_are_refused(console) -> None:
    _, wrong = login(console.base, "vic", "not-the-password")
    assert wrong.status_code == 401 and "账号或密码不对" in wrong.text
    _, unknown = login(console.base, "nobody", "whatever-password")
    assert unknown.status_code == 401 and "账号或密码不对" in unknown.text  # the same words: names are not revealed
    bare = httpx.post(console.base + "/console/login", data={"username": "vic", "password": PASSWORDS["vic"]})
    assert bare.status_code == 403 and "CSRF" in bare.text
    client, _ = login(console.base, "ada")
    no_token = client.post("/users", data={"do": "add", "name": "mallory", "role": "admin", "password": "mallory-password"})
    assert no_token.status_code == 403
    forged = client.post("/users", data={"csrf_token": "x" * 43, "do": "add", "name": "mallory", "role": "admin", "password": "mallory-pw-1"})
    assert forged.status_code == 403
    assert "mallory" not in run_cli("users", "list", "--db", str(console.db)).stdout


def test_a_viewer_sees_but_cannot_manage_and_an_admin_can(console) -> None:
    viewer, _ = login(console.base, "vic")
    assert "账号管理" not in viewer.get("/").text
    refused = viewer.get("/users")
    assert refused.status_code == 403 and "您的账号是查看员，这里需要管理员或更高权限" in refused.text
    token = csrf_of(viewer)
    post = viewer.post("/users", data={"csrf_token": token, "do": "add", "name": "sneak", "role": "admin", "password": "sneaky-password"})
    assert post.status_code == 403
    admin, _ = login(console.base, "ada")
    made = admin.post("/users", data={"csrf_token": csrf_of(admin), "do": "add", "name": "rex", "role": "reviewer", "password": "rex-password-1"})
    assert made.status_code == 303
    assert "rex" in admin.get(made.headers["location"].removeprefix("/console")).text
    assert "sneak" not in run_cli("users", "list", "--db", str(console.db)).stdout


def test_disabling_an_account_ends_its_session_and_the_audit_log_shows_who_did_what(console) -> None:
    editor, _ = login(console.base, "eve")
    assert editor.get("/").status_code == 200
    result = run_cli("users", "disable", "eve", "--db", str(console.db))
    assert result.returncode == 0
    assert editor.get("/").status_code == 303  # back to the login page
    _, again = login(console.base, "eve")
    assert again.status_code == 401
    admin, _ = login(console.base, "ada")
    audit = admin.get("/audit").text
    assert "停用账号" in audit and "命令行" in audit and "新增账号" in audit and "登录失败" in audit
    assert "（不存在的账号）" in audit and "nobody" not in audit  # an unknown name may be a mistyped password
    exported = admin.get("/audit.csv")
    assert exported.content.startswith("\ufeff".encode()) and "操作人".encode() in exported.content


def test_logout_needs_the_token_and_ends_the_session(console) -> None:
    client, _ = login(console.base, "ada")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": csrf_of(client)}).status_code == 303
    assert client.get("/").status_code == 303


def test_too_many_failed_logins_lock_the_account_for_a_while(console) -> None:
    run_cli("users", "add", "tim", "--role", "viewer", "--password-stdin", "--db", str(console.db), stdin="tim-password-1\n")
    for _ in range(5):
        login(console.base, "tim", "wrong-password")
    _, locked = login(console.base, "tim", "tim-password-1")
    assert locked.status_code == 429 and "登录失败次数太多" in locked.text


async def test_a_session_ends_after_its_idle_time_and_the_cookie_token_is_not_stored(tmp_path: Path) -> None:
    from bot.console.accounts import add_account
    from bot.console.auth import Sessions
    from bot.console.settings import ConsoleSettings
    from bot.store import open_store

    store = await open_store(str(tmp_path / "inquiries.sqlite3"))
    try:
        account = await add_account(store, "ada", "admin", PASSWORDS["ada"], "test")
        sessions = Sessions(store, ConsoleSettings(idle_seconds=600))
        staff = await sessions.start(account)
        assert (await sessions.find(staff.token)).account.name == "ada"
        stored = [r["token"] for r in await store.select("SELECT token FROM console_sessions")]
        assert stored and staff.token not in stored  # only its hash: a copy of the database logs nobody in
        await store.change("UPDATE console_sessions SET seen_at = seen_at - 601")
        assert await sessions.find(staff.token) is None
        assert not await store.select("SELECT token FROM console_sessions")
    finally:
        await store.close()


def test_serve_mounts_the_console_beside_the_web_chat_when_switched_on(tmp_path: Path) -> None:
    db = tmp_path / "inquiries.sqlite3"
    add_user(db, "ada", "admin")
    with running_web(db, tmp_path / "serve.log", "--web", command="serve", ready="/healthz", LEGALBOT_CONSOLE="1") as server:
        client, response = login(server.base, "ada")
        assert response.status_code == 303 and "<h1>仪表盘</h1>" in client.get("/").text
        assert httpx.get(server.base + "/api/welcome").status_code == 200  # the residents' chat is still at /
        assert httpx.get(server.base + "/healthz").json()["channels"] == ["console", "web"]


def test_behind_a_tls_proxy_the_session_cookie_is_secure(console) -> None:
    https = {"X-Forwarded-Proto": "https"}  # what nginx on this machine sends for a TLS request
    client = httpx.Client(base_url=console.base + "/console", follow_redirects=False, timeout=30, headers=https)
    form = client.get("/login")
    assert "Secure" in form.headers["set-cookie"]
    token = CSRF.search(form.text)[1]
    # httpx keeps Secure cookies for https URLs only; the proxy's client would send it back.
    client.cookies.set("legalbot_console_login", token)
    response = client.post("/login", data={"csrf_token": token, "username": "ada", "password": PASSWORDS["ada"]})
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]
