"""The console as a channel of `bot.app.server`: mounted at ``/console`` beside the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route

from .app import console_app

if TYPE_CHECKING:
    from ..app.runtime import Runtime
    from ..app.server import Channel

PATH = "/console"


def console_channel(runtime: "Runtime", redirect_root: bool = False) -> "Channel":
    """The console at ``/console/``; ``redirect_root`` (its own server): ``/`` leads there too."""
    from ..app.server import Channel  # noqa: PLC0415 - uvicorn only where a server runs

    app = console_app(runtime)

    async def to_console(request: Request) -> Response:
        return RedirectResponse(PATH + "/", 303)

    routes = [Mount(PATH, app=app)] + ([Route("/", to_console, methods=["GET"])] if redirect_root else [])
    return Channel("console", routes, apps=(app,))
