"""The audit log in the console: the latest changes, and the whole period as CSV."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import audit
from .app import Section
from .auth import require
from .periods import requested_period

SHOWN = 200  # rows on the page; the CSV has them all


@require("viewer")
async def page(request: Request) -> Response:
    console = request.app.state.console
    period = requested_period(request, console.settings.dashboard_days)
    rows = await audit.entries(console.store, period.since, period.until, limit=SHOWN)
    return console.render(request, "audit.html", rows=rows, period=period, shown=SHOWN)


@require("viewer")
async def export(request: Request) -> Response:
    console = request.app.state.console
    period = requested_period(request, console.settings.dashboard_days)
    rows = await audit.entries(console.store, period.since, period.until)
    await audit.record(console.store, request.state.staff.account.name, "export.audit", f"{period.since} 至 {period.until}")
    name = f"audit-{period.since}-{period.until}.csv"
    return Response(audit.export_csv(rows), media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


SECTION = Section(
    routes=(Route("/audit", page, methods=["GET"]), Route("/audit.csv", export, methods=["GET"])),
    path="audit",
    title="审计日志",
)
