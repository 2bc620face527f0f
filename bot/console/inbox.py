"""The inbox pages (reviewers and up): what residents asked that needs a look, by cluster; one
cluster with the redacted conversation around each question; teach, out of scope, dismiss, undo.

The work is `bot.admin.inbox`; these handlers only read the form, write the audit row and show
the outcome. The text to be stored is shown redacted and editable, and redacted once more on
saving. Residents' channel ids never appear: the log holds keyed hashes, and those are not shown.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..admin import inbox as work
from ..admin.review import default_eval_file
from ..errors import UserError
from . import audit
from .app import Section
from .auth import cookie_path, form_of, require

CHANNEL_NAMES = {"web": "网页", "wechat": "微信", "telegram": "Telegram", "terminal": "终端"}
SHOWN_TEXTS = 3
MAX_TEXT_CHARS = 500


def _console(request: Request):
    return request.app.state.console


def _titles(request: Request) -> dict[str, str]:
    return {i.id: i.title for i in _console(request).knowledge.intents}


async def _clusters(request: Request) -> list[work.InboxCluster]:
    console = _console(request)
    return await work.inbox(console.store, console.runtime.responder.matcher)


@require("reviewer")
async def page(request: Request) -> Response:
    console = _console(request)
    clusters = await _clusters(request)
    recent = await work.batches(console.store, limit=10)
    abandoned = await work.abandoned_flows(console.store)
    return console.render(
        request, "inbox_list.html", clusters=clusters, batches=recent, titles=_titles(request), reasons=work.REASONS,
        actions=work.ACTIONS, shown=SHOWN_TEXTS, done=request.query_params.get("done", ""), abandoned=abandoned,
    )


@require("reviewer")
async def cluster_page(request: Request) -> Response:
    return await _cluster(request)


async def _cluster(request: Request, error: str = "", status: int = 200) -> Response:
    console = _console(request)
    cluster_id = request.path_params["cluster_id"]
    cluster = next((c for c in await _clusters(request) if c.id == cluster_id), None)
    if cluster is None:
        raise HTTPException(404, "这一组已经处理完了（或不存在）")
    around = {item.inquiry.id: await work.context(console.store, item.inquiry) for item in cluster.items}
    knowledge = console.knowledge
    return console.render(
        request, "inbox_cluster.html", status, cluster=cluster, around=around, titles=_titles(request), channels=CHANNEL_NAMES,
        stored=work.stored_form(cluster.texts[0]), intents=sorted(knowledge.intents, key=lambda i: i.title), error=error,
        suggested=cluster.nearest_intent or "",
    )


@require("reviewer")
async def stored(request: Request) -> Response:
    """The text exactly as it would be stored, while the reviewer edits it."""
    return JSONResponse({"stored": work.stored_form(request.query_params.get("text", "")[:MAX_TEXT_CHARS])})


def _intent_id(value: str, request: Request) -> str:
    """The id from the searchable list: ``legal_aid``, or ``法律援助（legal_aid）`` as shown."""
    value = value.strip()
    if value.endswith("）") and "（" in value:
        value = value[value.rindex("（") + 1 : -1]
    titles = {title: intent_id for intent_id, title in _titles(request).items()}
    return titles.get(value, value)


@require("reviewer")
async def act(request: Request) -> Response:
    console = _console(request)
    form = await form_of(request, console.settings.max_form_bytes)
    cluster_id = request.path_params["cluster_id"]
    ids = [int(i) for i in form.getlist("ids") if i.isdigit()]
    actor, do = request.state.staff.account.name, form.get("do")
    directory = console.runtime.settings.intents_dir
    text = (form.get("text") or "")[:MAX_TEXT_CHARS]
    try:
        if do == "teach":
            done = await work.teach(console.store, directory, ids, _intent_id(form.get("intent") or "", request), text, actor, default_eval_file(directory))
        elif do == "out_of_scope":
            done = await work.teach(console.store, directory, ids, None, text, actor, default_eval_file(directory))
        elif do == "dismiss":
            done = await work.dismiss(console.store, ids, actor)
        else:
            raise work.InboxError("不认识的操作")
    except UserError as exc:
        return await _cluster(request, str(exc), 400)
    batch = (await work.batches(console.store, 1, done.batch))[0]
    action = {"teach": "inbox.example", "out_of_scope": "inbox.out_of_scope", "dismiss": "inbox.dismiss"}[do]
    await audit.record(console.store, actor, action, f"收件箱第 {cluster_id} 组（{len(batch.inquiry_ids)} 条）",
                       {"inquiries": list(batch.inquiry_ids)}, {"intent": batch.intent, "example": batch.text, "revision": batch.revision})
    if done.saved is not None:
        await console.runtime.reloader.reload()
    return console.render(request, "inbox_done.html", batch=batch, result=done.saved, titles=_titles(request), actions=work.ACTIONS,
                          names=_titles(request))


@require("reviewer")
async def undo(request: Request) -> Response:
    console = _console(request)
    form = await form_of(request, console.settings.max_form_bytes)
    actor, batch_id = request.state.staff.account.name, form.get("batch") or ""
    directory = console.runtime.settings.intents_dir
    batch = next(iter(await work.batches(console.store, 1, batch_id)), None)
    try:
        saved = await work.undo(console.store, directory, batch_id, actor, default_eval_file(directory))
    except UserError as exc:
        raise HTTPException(400, str(exc)) from None
    assert batch is not None
    await audit.record(console.store, actor, "inbox.undo", f"{work.ACTIONS[batch.action]}（{len(batch.inquiry_ids)} 条）",
                       {"intent": batch.intent, "example": batch.text, "revision": batch.revision},
                       {"revision": saved.revision.id if saved else None})
    if saved is not None:
        await console.runtime.reloader.reload()
    return RedirectResponse(cookie_path(request) + f"inbox?done=已撤销“{work.ACTIONS[batch.action]}”，这些问题回到了收件箱", 303)


SECTION = Section(
    routes=(
        Route("/inbox", page, methods=["GET"]),
        Route("/inbox/stored", stored, methods=["GET"]),
        Route("/inbox/undo", undo, methods=["POST"]),
        Route("/inbox/{cluster_id:int}", cluster_page, methods=["GET"]),
        Route("/inbox/{cluster_id:int}", act, methods=["POST"]),
    ),
    path="inbox",
    title="收件箱",
    role="reviewer",
)
