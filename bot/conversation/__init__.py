"""The one conversation service every channel talks to (`Conversation.turn`)."""

from .service import Conversation, FeedbackResult, Outcome, Turn

__all__ = ["Conversation", "FeedbackResult", "Outcome", "Turn"]
