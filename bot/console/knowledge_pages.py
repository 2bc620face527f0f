"""The knowledge editor: intents by topic and service with their counts, one intent's form with
checks as staff type, a phone-sized preview and "try a question" against the draft; saving
(the whole check, the evaluation before and after), the history with diffs and one-click
revert, and the local contacts with who verified them when.

Every save is a knowledge revision (`bot.knowledge.saving`) and an audit row; the console's own
runtime reloads at once, every other worker within seconds (`bot.app.knowledge_sync`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..admin.review import default_eval_file
from ..core.compose import Composer
from ..core.knowledge import CONTACT_FIELDS, Knowledge
from ..core.matcher import Matcher
from ..flows import all_flows
from ..knowledge.edits import with_contact
from ..knowledge.form import FIELD_NAMES, IntentForm, check_form, draft
from ..knowledge.saving import SaveRefused, SaveResult, diff_files, restore, save
from ..knowledge.source import base
from ..store.base import InquiryFilter, now
from ..store.revisions import KnowledgeRevisions, StaleRevision
from . import audit
from .app import Section
from .auth import cookie_path, form_of, require

KIND_GROUPS = (("topic", "居民遇到的问题"), ("service", "公共法律服务"), ("emergency", "紧急情况"), ("smalltalk", "问候与导航"), ("out_of_scope", "超出范围"))
CONTACT_NAMES = {"name": "名称", "address": "地址", "phone": "电话", "hours": "办公时间", "url": "网址", "note": "备注"}
EMPTY_SECTIONS = 2  # blank section rows offered under the intent's own
MAX_TRY_CHARS = 200


def _console(request: Request):
    return request.app.state.console


def _directory(request: Request) -> Path:
    return _console(request).runtime.settings.intents_dir


def _eval_file(request: Request) -> Path | None:
    return default_eval_file(_directory(request))


def _group(knowledge: Knowledge, intent) -> str:
    return "emergency" if intent.priority else "out_of_scope" if intent.out_of_scope else intent.kind


async def _month_counts(store) -> dict[str | None, dict[str, int]]:
    counts: dict[str | None, dict[str, int]] = defaultdict(lambda: {"all": 0, "up": 0, "down": 0})
    for row in await store.counts(InquiryFilter(since=now().date().replace(day=1))):
        counts[row.intent]["all"] += row.count
        if row.feedback:
            counts[row.intent][row.feedback] += row.count
    return counts


@require("viewer")
async def listing(request: Request) -> Response:
    console = _console(request)
    knowledge = console.knowledge
    counts = await _month_counts(console.store)
    groups = []
    for kind, title in KIND_GROUPS:
        rows = [(i, counts.get(i.id, {"all": 0, "up": 0, "down": 0})) for i in knowledge.intents if _group(knowledge, i) == kind]
        if rows:
            groups.append((title, rows))
    latest = await KnowledgeRevisions(console.store).latest()
    return console.render(request, "knowledge_list.html", groups=groups, latest=latest, done=request.query_params.get("done", ""))


def _intent_or_404(knowledge: Knowledge, intent_id: str):
    intent = knowledge.get(intent_id)
    if intent is None:
        raise HTTPException(404, f"没有 id 为“{intent_id}”的意图")
    return intent


def _sections(form: IntentForm) -> list[tuple[str, str]]:
    return [*form.sections, *[("", "")] * EMPTY_SECTIONS]


async def _edit_page(request: Request, intent_id: str, form: IntentForm, parent: int, status: int = 200, refused: SaveRefused | str | None = None) -> Response:
    console = _console(request)
    knowledge = console.knowledge
    intent = _intent_or_404(knowledge, intent_id)
    problems = [p.as_dict() for p in check_form(intent_id, form, knowledge, now().date())]
    return console.render(
        request, "knowledge_edit.html", status, intent=intent, form=form, sections=_sections(form), parent=parent,
        problems=problems, field_names=FIELD_NAMES, refused=refused, can_edit=request.state.staff.account.can("editor"),
        intents=knowledge.intents,
    )


@require("viewer")
async def edit_page(request: Request) -> Response:
    console = _console(request)
    intent = _intent_or_404(console.knowledge, request.path_params["intent_id"])
    parent, _ = await base(console.store, _directory(request))
    return await _edit_page(request, intent.id, IntentForm.of(intent), parent)


def _reply_json(reply) -> dict:
    return {"text": reply.text, "buttons": [[b.label for b in row] for row in reply.buttons]}


def _preview(knowledge: Knowledge, intent_id: str) -> dict:
    """The first message with its buttons, and each section as the button opens it."""
    composer = Composer(knowledge, {flow.name: flow for flow in all_flows()})
    intent = knowledge[intent_id]
    sections = []
    for number, section in enumerate(composer.sections(intent)):
        reply = composer.section(intent, number)
        if reply is not None:
            sections.append({"title": section.title, **_reply_json(reply)})
    return {"first": _reply_json(composer.guidance(intent)), "sections": sections}


async def _json_body(request: Request) -> dict:
    await form_of(request, _console(request).settings.max_form_bytes)
    try:
        body = json.loads(getattr(request.state, "body", b"") or b"{}")
    except ValueError:
        raise HTTPException(400, "请求内容不是 JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "请求内容不是 JSON 对象")
    return body


async def _draft(request: Request, body: dict):
    console = _console(request)
    intent_id = request.path_params["intent_id"]
    _intent_or_404(console.knowledge, intent_id)
    form = IntentForm.parse(body)
    _, files = await base(console.store, _directory(request))
    edited, knowledge, load_problems = await asyncio.to_thread(draft, files, intent_id, form, console.knowledge)
    problems = [p.as_dict() for p in check_form(intent_id, form, console.knowledge, now().date())]
    if not any(p["severity"] == "error" for p in problems):  # the loader's words only for what the form checks missed
        problems += [{"field": "", "name": "文件", "message": f"{p.path}:{p.line}：{p.message}", "severity": "error"} for p in load_problems]
    return intent_id, knowledge, problems


@require("viewer")
async def check_draft(request: Request) -> Response:
    """As staff type: the field problems and the phone preview of the draft."""
    intent_id, knowledge, problems = await _draft(request, await _json_body(request))
    preview = await asyncio.to_thread(_preview, knowledge, intent_id) if knowledge else None
    return JSONResponse({"problems": problems, "preview": preview})


@require("viewer")
async def try_question(request: Request) -> Response:
    """One question against the draft: the match and its evidence, with the intents' titles."""
    body = await _json_body(request)
    question = str(body.get("question") or "").strip()[:MAX_TRY_CHARS]
    intent_id, knowledge, problems = await _draft(request, body)
    if knowledge is None or not question:
        return JSONResponse({"problems": problems, "result": None})
    result = await asyncio.to_thread(lambda: Matcher(knowledge).explain(question))
    title = {i.id: i.title for i in knowledge.intents}
    result["title"] = title.get(result["intent"] or "", "（未匹配：答复“其他话题”）")
    for evidence in result["evidence"]:
        evidence["title"] = title.get(evidence["intent"], evidence["intent"])
    result["is_this_intent"] = result["intent"] == intent_id
    return JSONResponse({"problems": problems, "result": result})


def _save_summary(intent, changed: list[str]) -> str:
    return f"修改“{intent.title}”：{'、'.join(FIELD_NAMES[c] for c in changed)}" if changed else f"修改“{intent.title}”"


@require("editor")
async def save_intent(request: Request) -> Response:
    console = _console(request)
    form_data = await form_of(request, console.settings.max_form_bytes)
    intent = _intent_or_404(console.knowledge, request.path_params["intent_id"])
    form = IntentForm.parse(dict(form_data)).redacted(intent)
    parent = int(form_data.get("parent") or 0)
    current, files = await base(console.store, _directory(request))
    if current != parent:
        return await _edit_page(request, intent.id, form, current, 409, str(StaleRevision(f"草稿基于第 {parent} 版，但现在已经是第 {current} 版：别人刚保存过。请记下您的修改，重新打开本页后再改。")))
    errors = [p for p in check_form(intent.id, form, console.knowledge, now().date()) if p.severity == "error"]
    if errors:
        return await _edit_page(request, intent.id, form, parent, 400, "保存被拒绝：" + "；".join(p.message for p in errors))
    edited, _, load_problems = await asyncio.to_thread(draft, files, intent.id, form, console.knowledge)
    before, after = IntentForm.of(intent).fields(), form.fields()
    changed = [k for k in after if json.dumps(before[k], ensure_ascii=False) != json.dumps(after[k], ensure_ascii=False)]
    actor = request.state.staff.account.name
    try:
        result = await save(console.store, files, parent, edited, actor, _save_summary(intent, changed), _eval_file(request))
    except (SaveRefused, StaleRevision) as refused:
        return await _edit_page(request, intent.id, form, parent, 400, refused)
    await audit.record(console.store, actor, "knowledge.edit", f"{intent.title}（{intent.id}）",
                       {k: before[k] for k in changed}, {k: after[k] for k in changed})
    return await _saved(request, result, intent.id)


async def _saved(request: Request, result: SaveResult, intent_id: str | None = None) -> Response:
    console = _console(request)
    await console.runtime.reloader.reload()  # this worker at once; the others follow the revision
    knowledge = console.knowledge
    title = {i.id: i.title for i in knowledge.intents}
    return console.render(request, "knowledge_saved.html", result=result, title=title, intent_id=intent_id, names=title)


@require("viewer")
async def history(request: Request) -> Response:
    console = _console(request)
    revisions = await KnowledgeRevisions(console.store).history()
    return console.render(request, "knowledge_history.html", revisions=revisions, can_edit=request.state.staff.account.can("editor"))


@require("viewer")
async def revision_page(request: Request) -> Response:
    console = _console(request)
    revisions = KnowledgeRevisions(console.store)
    revision = await revisions.get(int(request.path_params["revision_id"]))
    if revision is None:
        raise HTTPException(404, "没有这个版本")
    parent = await revisions.get(revision.parent) if revision.parent else None
    diff = diff_files(await revisions.texts(parent) if parent else {}, await revisions.texts(revision))
    return console.render(request, "knowledge_revision.html", revision=revision, diff=diff, can_edit=request.state.staff.account.can("editor"))


@require("editor")
async def restore_revision(request: Request) -> Response:
    console = _console(request)
    revision_id = int(request.path_params["revision_id"])
    actor = request.state.staff.account.name
    newest = await KnowledgeRevisions(console.store).latest()
    try:
        result = await restore(console.store, revision_id, actor, _eval_file(request))
    except (SaveRefused, StaleRevision) as refused:
        return console.render(request, "error.html", 400, message=str(refused), code=400)
    await audit.record(console.store, actor, "knowledge.revert", f"知识库第 {newest.id if newest else 0} 版",
                       {"revision": newest.id if newest else None}, {"revision": result.revision.id, "restored": revision_id})
    return await _saved(request, result)


async def _verifications(store) -> dict[str, audit.AuditEntry]:
    """The last confirmed check of each contact (who, when), from the audit log."""
    found: dict[str, audit.AuditEntry] = {}
    for entry in await audit.entries(store, actions=["contacts.edit"]):
        key = (entry.after or {}).get("key") if isinstance(entry.after, dict) else None
        if key and (key not in found or entry.time > found[key].time):
            found[key] = entry
    return found


@require("viewer")
async def contacts_page(request: Request) -> Response:
    return await _contacts(request)


async def _contacts(request: Request, error: str = "", status: int = 200) -> Response:
    console = _console(request)
    verified = await _verifications(console.store)
    return console.render(
        request, "knowledge_contacts.html", status, contacts=console.knowledge.contacts, fields=CONTACT_FIELDS, names=CONTACT_NAMES,
        verified=verified, error=error, done=request.query_params.get("done", ""), can_edit=request.state.staff.account.can("editor"),
    )


@require("editor")
async def save_contact(request: Request) -> Response:
    console = _console(request)
    form = await form_of(request, console.settings.max_form_bytes)
    key = form.get("key") or ""
    contact = console.knowledge.contacts.get(key)
    if contact is None:
        raise HTTPException(404, "没有这个联系人")
    if form.get("verified") != "yes":
        return await _contacts(request, "请先勾选“我已向对方核实过这些信息”，再保存。", 400)
    fields = {f: " ".join((form.get(f) or "").split()) for f in CONTACT_FIELDS}
    before = {f: getattr(contact, f) for f in CONTACT_FIELDS}
    parent, files = await base(console.store, _directory(request))
    actor = request.state.staff.account.name
    edited = await asyncio.to_thread(with_contact, files, key, fields)
    if edited != dict(files):
        try:
            await save(console.store, files, parent, edited, actor, f"修改联系人 {key}", None)
        except (SaveRefused, StaleRevision) as refused:
            return await _contacts(request, str(refused), 400)
        await console.runtime.reloader.reload()
    await audit.record(console.store, actor, "contacts.edit", key, {"key": key, **before}, {"key": key, "verified_on": dt.date.today().isoformat(), **fields})
    return RedirectResponse(cookie_path(request) + f"knowledge/contacts?done=已保存并记录核实：{key}", 303)


SECTION = Section(
    routes=(
        Route("/knowledge", listing, methods=["GET"]),
        Route("/knowledge/history", history, methods=["GET"]),
        Route("/knowledge/contacts", contacts_page, methods=["GET"]),
        Route("/knowledge/contacts", save_contact, methods=["POST"]),
        Route("/knowledge/revision/{revision_id:int}", revision_page, methods=["GET"]),
        Route("/knowledge/revision/{revision_id:int}/restore", restore_revision, methods=["POST"]),
        Route("/knowledge/intent/{intent_id}", edit_page, methods=["GET"]),
        Route("/knowledge/intent/{intent_id}", save_intent, methods=["POST"]),
        Route("/knowledge/intent/{intent_id}/draft", check_draft, methods=["POST"]),
        Route("/knowledge/intent/{intent_id}/try", try_question, methods=["POST"]),
    ),
    path="knowledge",
    title="知识库",
)
