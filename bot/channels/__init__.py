"""Thin channel adapters: translate a channel's input into core calls and `Reply` into output."""
