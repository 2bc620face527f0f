"""The Telegram channel: polling (`adapter.run`) and webhook workers (`worker`, `webhook`), both a
thin adapter over the conversation service (`bot.conversation`)."""
