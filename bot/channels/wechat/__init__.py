"""The WeChat Official Account channel: server-URL verification, plaintext and safe-mode messages,
passive replies within WeChat's five seconds and customer-service messages after them, over the
conversation service (`bot.conversation`). The protocol itself is wechatpy's."""

from .app import wechat_app, wechat_lifespan, wechat_routes
from .settings import WeChatSettings

__all__ = ["WeChatSettings", "wechat_app", "wechat_lifespan", "wechat_routes"]
