"""Wanzhou public legal-service chat bot."""

__version__ = "0.1.0"
