"""The bot on Telegram: python-telegram-bot handlers around the channel-agnostic core.

The path of a message is one-way: update → handler (here) → ``Responder`` → ``Reply`` →
`telegram_render.render` → Telegram. Handlers stay thin: they pick the text, the session and
the user out of the update, ask the core, log the inquiry, and send what the renderer made.
`build_application` only wires; `run` starts long polling and returns when SIGINT/SIGTERM
stop it (`install_stop_signals`), after pending updates are answered and the store is closed.

Polling and webhook workers (`telegram_worker`) run these same handlers and this same wiring;
they differ only in what `TelegramBot` is given: sessions, flood control and the rate limiter
in memory for one polling process, in the store for workers that share one bot.

Background work (automatic retention, watching the intent files) runs as plain asyncio tasks
started in ``post_init`` and cancelled in ``post_stop``: PTB's JobQueue would need the
``job-queue`` extra (APScheduler) for two timers that a loop with ``asyncio.sleep`` does as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import (
    BotCommand,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from ...admin.retention import retention_loop
from ...core.reply import Reply, ReplyKind
from ...core.responder import Responder
from ...core.session import Session
from ...settings import Settings
from ...store.base import LOGGED_KINDS, InquiryStore  # menus and flow steps are not inquiries
from ...store.redact import redact
from ...conversation.sessions import AsyncMemorySessions, AsyncSessionStore
from .admin import IntentReloader, add_admin_handlers, register_admin_commands
from .http import AiohttpRequest, LeanBot
from ...conversation.limits import FloodControl, FloodGate
from .limits import PerUserUpdateProcessor
from .ratelimit import BeforeSend, LocalRateLimiter
from .render import button_label, parse_feedback, render, without_feedback

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_CONCURRENT_UPDATES = 128
RATE_LIMIT_RETRIES = 3
CONNECTION_POOL_SIZE = 8  # sends are paced by the rate limiter (30/s), so few connections are busy at once
ALLOWED_UPDATES = ("message", "callback_query")  # what the handlers below use; Telegram sends nothing else

NOT_TEXT = "抱歉，我目前只能阅读文字消息。请用文字描述您的问题，或发送 /menu 选择服务。"
TOO_FAST = "您发消息太快了 🙏 我会先回答前面的问题，请稍等几秒再发。"
TOO_FAST_TOAST = "太快了，请稍等几秒再点。"
FEEDBACK_THANKS = {"up": "谢谢您的肯定！", "down": "谢谢反馈，我们会改进这条解答。"}
FEEDBACK_GONE = "这条记录已不存在，谢谢您。"
FEEDBACK_FAILED = "暂时无法记录反馈，请稍后再试。"
SORRY = "抱歉，系统出了点问题，请稍后再试，或直接拨打 12348 公共法律服务热线。"

USER_COMMANDS = (
    ("menu", "主菜单：选择法律服务"),
    ("help", "使用帮助"),
    ("deadline", "期限计算：诉讼、复议等期限"),
    ("eligibility", "法律援助条件自测"),
)

StoreOpener = Callable[[], Awaitable[InquiryStore]]
Commit = Callable[[], Awaitable[None]]


class AddressedToBot(filters.MessageFilter):
    """Private chats always; in groups only messages that mention the bot or reply to it."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        mentions = message.parse_entities([MessageEntity.MENTION]) or message.parse_caption_entities([MessageEntity.MENTION])
        if any(text.lower() == f"@{bot.username}".lower() for text in mentions.values()):
            return True
        return any(e.user and e.user.id == bot.id for e in (message.entities or ()) if e.type == MessageEntity.TEXT_MENTION)


def file_base_url(api_base_url: str) -> str:
    """``https://host/bot`` → ``https://host/file/bot`` (the Bot API's file download root)."""
    root, found, tail = api_base_url.rpartition("/bot")
    return f"{root}/file/bot{tail}" if found else f"{api_base_url.rstrip('/')}/file/bot"


@dataclass
class TelegramBot:
    """The adapter's state (core, store, sessions) and its handlers.

    ``log_update_ids``: webhook workers log each inquiry under its update id, so a worker that
    takes over an update from one that died mid-way finds the inquiry already logged.
    ``on_answered``: webhook workers mark the update finished there; it runs with the session
    save just before an answer's last message leaves (`telegram_ratelimit.BeforeSend`).
    """

    responder: Responder
    settings: Settings
    open_store: StoreOpener
    sessions: AsyncSessionStore = field(default_factory=AsyncMemorySessions)
    gate: FloodControl = field(default_factory=FloodGate)
    log_update_ids: bool = False
    on_answered: Callable[[Update], Awaitable[None]] | None = None
    store: InquiryStore | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)
    background: list[Callable[["TelegramBot"], Awaitable[None]]] = field(default_factory=list)
    app: Application | None = None
    reloader: IntentReloader | None = None

    # ---- lifecycle (post_init / post_stop / post_shutdown) ------------------------------------

    async def post_init(self, app: Application) -> None:
        self.store = await self.open_store()
        commands = [BotCommand(name, self._command_title(name, title)) for name, title in USER_COMMANDS]
        await app.bot.set_my_commands(commands)
        await register_admin_commands(self, commands)
        if self.settings.retention_days > 0:
            self.background.append(lambda bot: retention_loop(bot.store, bot.settings.retention_days))
        self.tasks += [asyncio.create_task(job(self)) for job in self.background]
        logger.info("bot @%s ready: %d intents", app.bot.username, len(self.responder.knowledge.intents))

    async def post_stop(self, app: Application) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def post_shutdown(self, app: Application) -> None:
        await self.post_stop(app)  # tasks left if startup was cut short
        if self.store is not None:
            await self.store.close()
            logger.info("inquiry log closed")

    def _command_title(self, name: str, default: str) -> str:
        flow = self.responder.flows.get(name)
        return flow.title if flow else default

    # ---- handlers ------------------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, /help, /menu and the flow commands all go to the core's `command`."""
        message = update.effective_message
        name, _, arg = message.text.partition(" ")
        name = name[1:].split("@", 1)[0].lower()
        await self._step(update, context, message.text, lambda session: self.responder.command(name, arg, session))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        text = self._strip_mention(message.text, context.bot.username)
        await self._step(update, context, text, lambda session: self.responder.respond(text, session))

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files: say politely that the bot reads text."""
        await self.send_text(context, update, NOT_TEXT)

    async def on_feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        parsed = parse_feedback(query.data or "")
        if parsed is None or self.store is None:
            await query.answer()
            return
        value, inquiry_id = parsed
        try:
            recorded = await self.store.set_feedback(inquiry_id, value)
        except Exception:  # noqa: BLE001 - say so instead of leaving the button spinning
            logger.exception("could not record feedback on inquiry %d", inquiry_id)
            await query.answer(FEEDBACK_FAILED)
            return
        await query.answer(FEEDBACK_THANKS[value] if recorded else FEEDBACK_GONE)
        if recorded and query.message is not None and isinstance(query.message, Message):
            with contextlib.suppress(TelegramError):  # the vote counts even if the edit fails
                await query.edit_message_reply_markup(without_feedback(query.message.reply_markup))
        logger.info("feedback %s on inquiry %d", value, inquiry_id)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any other button: a core action (intent:…, flow:…, menu)."""
        query = update.callback_query
        await query.answer()
        data = query.data or ""
        message = query.message if isinstance(query.message, Message) else None
        label = button_label(message.reply_markup if message else None, data) or data
        await self._step(update, context, label, lambda session: self.responder.press(data, session))

    async def on_dropped(self, update: Update, warn: bool) -> None:
        """An update flood control dropped: answer a button press anyway, note a flood once."""
        bot = update.get_bot()
        if update.callback_query:
            await update.callback_query.answer(TOO_FAST_TOAST if warn else None)
        elif warn and update.effective_chat:
            await bot.send_message(update.effective_chat.id, TOO_FAST)
        if warn:
            logger.info("flood control: dropping messages from user %s", update.effective_user.id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log and carry on. A blocked bot (403) or a network hiccup is routine, not a crash."""
        error = context.error
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        if isinstance(error, Forbidden):
            logger.info("chat %s cannot be written to (%s); carrying on", chat, error.message)
            return
        if isinstance(error, (NetworkError, RetryAfter)):
            logger.warning("Telegram request failed for chat %s: %s", chat, error)
            return
        logger.error("error while handling an update for chat %s", chat, exc_info=error)
        if chat is not None:
            with contextlib.suppress(Exception):
                await context.bot.send_message(chat, SORRY)

    # ---- helpers -------------------------------------------------------------------------------

    def _session_key(self, update: Update) -> tuple[int, int]:
        chat = update.effective_chat
        user = update.effective_user
        return (chat.id if chat else user.id, user.id)

    async def _step(self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, step: Callable[[Session], Reply]) -> None:
        """Run one core step on the user's session and answer; what the step changed (a flow's
        progress) is kept when the answer goes out, so an answer that never left leaves the
        session as the user last saw it.

        A session outside any flow before and after holds nothing worth keeping, so it is not
        saved: most messages are plain questions, and in the database each save is a write.
        """
        key = self._session_key(update)
        session = await self.sessions.get(key)
        in_flow = session.flow is not None
        reply = step(session)
        save = (lambda: self.sessions.save(key, session)) if in_flow or session.flow is not None else None
        await self.answer(update, context, text, reply, save)

    @staticmethod
    def _strip_mention(text: str, username: str | None) -> str:
        if username:
            text = text.replace(f"@{username}", " ")
        return text.strip()

    async def log(self, update: Update, text: str, reply: Reply) -> int | None:
        """Write the inquiry; on a store failure the user still gets the answer (without 👍/👎)."""
        if self.store is None or reply.kind not in LOGGED_KINDS:
            return None
        try:
            update_id = update.update_id if self.log_update_ids else None
            return await self.store.log(CHANNEL, str(update.effective_user.id), text, reply, update_id=update_id)
        except Exception:  # noqa: BLE001 - the answer matters more than its log entry
            logger.exception("could not log an inquiry (intent %s)", reply.intent)
            return None

    async def answer(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, reply: Reply, save_session: Commit | None = None
    ) -> None:
        """Log, render and send; the session is saved (and the update marked answered) right
        before the last message leaves: see `telegram_ratelimit.BeforeSend` for why then."""
        inquiry_id = await self.log(update, text, reply)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s → %s %s (%.0f)", redact(text)[:80], reply.kind.value, reply.intent, reply.score)
        feedback_id = inquiry_id if reply.wants_feedback else None
        chat_id = self._session_key(update)[0]
        reply_to = self._reply_parameters(update)

        async def commit() -> None:
            if save_session is not None:
                await save_session()
            if self.on_answered is not None:
                await self.on_answered(update)

        parts = render(reply, feedback_id)
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            await context.bot.send_html(chat_id, part.html, part.markup, reply_to, BeforeSend(commit) if last else None)
            reply_to = None

    async def send_text(self, context: ContextTypes.DEFAULT_TYPE, update: Update, text: str) -> None:
        await self.answer(update, context, "", Reply(text, ReplyKind.MENU))

    @staticmethod
    def _reply_parameters(update: Update) -> ReplyParameters | None:
        """In groups, quote the message we answer so it is clear who is meant."""
        message = update.message
        if message is None or message.chat.type == ChatType.PRIVATE:
            return None
        return ReplyParameters(message.message_id, allow_sending_without_reply=True)


def add_handlers(app: Application, bot: TelegramBot) -> None:
    """Register the resident-facing handlers. Only new messages count: edits and channel posts
    are left alone (``UpdateType.MESSAGE``)."""
    new = filters.UpdateType.MESSAGE
    addressed = AddressedToBot()
    commands = sorted({"start", "help", "menu", *(name for name, _ in USER_COMMANDS), *bot.responder.flows})
    app.add_handler(CommandHandler(commands, bot.on_command, filters=new))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND & addressed, bot.on_text))
    not_text = new & ~filters.TEXT & ~filters.StatusUpdate.ALL & addressed
    app.add_handler(MessageHandler(not_text, bot.on_not_text))
    app.add_handler(CallbackQueryHandler(bot.on_feedback, pattern=r"^fb:"))
    app.add_handler(CallbackQueryHandler(bot.on_press))
    app.add_handler(MessageHandler(new & filters.COMMAND & addressed, bot.on_command))  # unknown → menu
    app.add_error_handler(bot.on_error)


def make_bot(settings: Settings, pool_size: int = 1, rate_limiter: BaseRateLimiter | None = None) -> LeanBot:
    """The Bot API client: where (base URL, proxy), how (aiohttp, HTML, rate limiting with retries:
    in memory unless a shared limiter is given)."""
    return LeanBot(
        settings.telegram_token,
        base_url=settings.api_base_url,
        base_file_url=file_base_url(settings.api_base_url),
        request=AiohttpRequest(pool_size, settings.proxy_url),
        get_updates_request=AiohttpRequest(1, settings.proxy_url),
        defaults=Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)),
        rate_limiter=rate_limiter or LocalRateLimiter(overall_max_rate=settings.send_rate, max_retries=RATE_LIMIT_RETRIES),
    )


def build_application(
    settings: Settings, bot: TelegramBot, rate_limiter: BaseRateLimiter | None = None, polling: bool = True
) -> Application:
    """Wire PTB: Bot API location, proxy, rate limiting, per-user processing, handlers.

    ``polling=False`` leaves out PTB's updater: a webhook worker hands updates in itself.
    """
    processor = PerUserUpdateProcessor(MAX_CONCURRENT_UPDATES, bot.gate, bot.on_dropped)
    builder = (
        ApplicationBuilder()
        .bot(make_bot(settings, CONNECTION_POOL_SIZE, rate_limiter))
        .concurrent_updates(processor)
        .post_init(bot.post_init)
        .post_stop(bot.post_stop)
        .post_shutdown(bot.post_shutdown)
    )
    if not polling:
        builder = builder.updater(None)
    app = bot.app = builder.build()
    add_admin_handlers(app, bot)
    add_handlers(app, bot)
    return app


def install_stop_signals(app: Application, bot: TelegramBot, loop: asyncio.AbstractEventLoop) -> None:
    """SIGINT/SIGTERM stop the bot gracefully at any moment, startup included.

    PTB's own handlers raise SystemExit inside whatever is running, which during startup can
    interrupt an HTTP request half-way. Ours ask PTB to stop (`stop_running`): at once when it
    is running, else as soon as it is. Either way pending updates are answered and logged,
    then the store is closed, and `run_polling` returns normally (exit code 0).
    """

    def on_signal(signum: int) -> None:
        logger.info("%s received: answering pending messages, then stopping", signal.Signals(signum).name)
        app.stop_running()  # when not yet running, PTB stops right after post_init
        if not app.running and not any(t.get_name() == "stop-once-running" for t in bot.tasks):
            bot.tasks.append(loop.create_task(_stop_once_running(app), name="stop-once-running"))

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)


async def _stop_once_running(app: Application) -> None:
    while not app.running:
        await asyncio.sleep(0.05)
    app.stop_running()


async def check_bot_api(settings: Settings) -> str:
    """Fail fast when the token or the Bot API address is wrong: `InvalidToken` or `NetworkError`
    for the caller to explain, instead of PTB's bootstrap logging a traceback (with the token)."""
    async with make_bot(settings) as bot:
        return bot.username


def run(settings: Settings, responder: Responder, open_store: StoreOpener) -> None:
    """Long-poll until SIGINT/SIGTERM; returns after a clean shutdown (store closed)."""
    username = asyncio.run(check_bot_api(settings))
    logger.info("connected to the Bot API as @%s", username)
    bot = TelegramBot(responder, settings, open_store)
    app = build_application(settings, bot)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    install_stop_signals(app, bot, loop)
    app.run_polling(allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False, stop_signals=None)
