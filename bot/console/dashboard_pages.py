"""The dashboard page (the console's first page after login) and its JSON."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .app import Section
from .auth import require
from .dashboard import dashboard
from .periods import requested_period


async def _figures(request: Request) -> dict:
    console = request.app.state.console
    return await dashboard(console.store, console.knowledge, requested_period(request, console.settings.dashboard_days))


@require("viewer")
async def page(request: Request) -> Response:
    return request.app.state.console.render(request, "dashboard.html", data=await _figures(request))


@require("viewer")
async def data(request: Request) -> Response:
    return JSONResponse(await _figures(request), headers={"Cache-Control": "no-store"})


SECTION = Section(
    routes=(Route("/", page, methods=["GET"]), Route("/api/dashboard", data, methods=["GET"])),
    path="",
    title="仪表盘",
)
