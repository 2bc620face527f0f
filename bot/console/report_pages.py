"""The monthly report in the console, and the inquiry log as CSV."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..admin.export import export_csv
from ..store.base import InquiryFilter, now
from . import audit
from .app import Section
from .auth import cookie_path, require
from .dashboard import Period
from .periods import requested_period
from .report import render_report, report_context


def _month(request: Request) -> Period:
    if request.query_params.get("month"):
        return requested_period(request, 0)
    return Period.month(now().date())


@require("viewer")
async def page(request: Request) -> Response:
    console = request.app.state.console
    period = _month(request)
    context = await report_context(console.store, console.knowledge, period, console.settings.top_questions)
    month = f"{period.since:%Y-%m}"
    standalone = request.query_params.get("download") == "1"
    html = render_report(console.templates, {**context, "month": month}, None if standalone else cookie_path(request))
    await audit.record(console.store, request.state.staff.account.name, "report.view", month)
    headers = {"Cache-Control": "no-store"}
    if standalone:
        headers["Content-Disposition"] = f'attachment; filename="report-{month}.html"'
    return HTMLResponse(html, headers=headers)


@require("viewer")
async def export(request: Request) -> Response:
    """Inquiries of the period as CSV for Excel; ``?headers=zh``: Chinese headers, titles and readable candidates."""
    console = request.app.state.console
    period = requested_period(request, console.settings.dashboard_days)
    chinese = request.query_params.get("headers") == "zh"
    inquiries = await console.store.inquiries(InquiryFilter(since=period.since, until=period.until))
    titles = {i.id: i.title for i in console.knowledge.intents}
    data = export_csv(inquiries, titles=titles if chinese else None)
    await audit.record(console.store, request.state.staff.account.name, "export.inquiries", f"{period.since} 至 {period.until}", None, {"rows": len(inquiries), "chinese": chinese})
    name = f"inquiries-{period.since}-{period.until}.csv"
    return Response(data, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@require("viewer")
async def reports(request: Request) -> Response:
    console = request.app.state.console
    period = requested_period(request, console.settings.dashboard_days)
    return console.render(request, "reports.html", month=f"{now().date():%Y-%m}", period=period)


SECTION = Section(
    routes=(
        Route("/reports", reports, methods=["GET"]),
        Route("/report", page, methods=["GET"]),
        Route("/export.csv", export, methods=["GET"]),
    ),
    path="reports",
    title="报告与导出",
)
