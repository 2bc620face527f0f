"""Channel-agnostic core: normalise text, match intents, compose replies. No I/O, no Telegram."""
