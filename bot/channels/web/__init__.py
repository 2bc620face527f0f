"""The web chat for residents: a page, an embed script and a JSON API over `Conversation`."""

from .app import web_app
from .settings import WebSettings

__all__ = ["WebSettings", "web_app"]
