"""The bot on Telegram: python-telegram-bot handlers, a thin adapter over the conversation service.

The path of a message is one-way: update → handler (here) → `Turn` → `Conversation` (session,
flood control, core, log) → `Outcome` → `render.render` → Telegram. Handlers only translate: they
pick the text, the user and the chat out of the update, and send what the renderer made of the
outcome, awaiting ``outcome.commit`` right before the last part leaves (`ratelimit.BeforeSend`).
`build_application` only wires; `run` starts long polling and returns when SIGINT/SIGTERM stop it
(`install_stop_signals`) within `STOP_DEADLINE` seconds: answers in hand get `STOP_GRACE` seconds to
leave, the rest stay in the store's intake (`durable`) and go out after the next start.

Polling and webhook workers (`worker`) run these same handlers and this same wiring; they differ
in the `Runtime` they are given (sessions and flood counters in memory for one polling process, in
the store for workers that share one bot), the rate limiter, and the commit hook. The background
work (intent reload, retention) is the runtime's, started by whoever owns it: the polling bot in
``post_init``, `legalbot serve` before its channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
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

from ...app.runtime import Runtime, StoreOpener
from ...conversation import Conversation, Outcome, Turn, texts
from ...core.responder import Responder
from ...settings import Settings
from .admin import add_admin_handlers, notify_admins, register_admin_commands
from .durable import Intake, Outbox, answer_parts
from .http import AiohttpRequest, LeanBot
from .limits import PerUserUpdateProcessor
from .ratelimit import BeforeSend, LocalRateLimiter, SendDeferred
from .render import OutgoingMessage, button_label, escape, parse_feedback, render, without_feedback

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
MAX_CONCURRENT_UPDATES = 128
STOP_GRACE = 5.0  # after SIGTERM, answers in hand may still leave this long; then they are kept
STOP_DEADLINE = 9.5  # the process is gone by then whatever hangs (systemd waits 90 s, we say 10)
CONNECTION_POOL_SIZE = 8  # sends are paced by the rate limiter (30/s), so few connections are busy at once
ALLOWED_UPDATES = ("message", "callback_query")  # what the handlers below use; Telegram sends nothing else

TOO_FAST_TOAST = "太快了，请稍等几秒再点。"  # a button press's toast is shorter than the shared note

USER_COMMANDS = (
    ("menu", "主菜单：选择法律服务"),
    ("help", "使用帮助"),
    ("deadline", "期限计算：诉讼、复议等期限"),
    ("eligibility", "法律援助条件自测"),
    ("privacy", "隐私说明：保存什么、保存多久"),
)

OnCommit = Callable[[Turn], Awaitable[None]]


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


def _turn(update: Update, **what: object) -> Turn:
    """The update as a `Turn`: who, in which chat, and the update id (a re-delivery is logged once)."""
    chat = update.effective_chat
    user = update.effective_user
    return Turn(CHANNEL, str(user.id), chat=str(chat.id) if chat else None, message_id=str(update.update_id), **what)


@dataclass
class TelegramBot:
    """The adapter's handlers over a `Runtime`'s conversation service.

    ``owns_runtime``: the polling bot starts and stops its runtime with PTB (``post_init`` /
    ``post_shutdown``); a webhook worker is given one started by `legalbot serve`.
    ``on_commit``: webhook workers mark the update finished there; it runs with the session save
    just before an answer's last message leaves (`ratelimit.BeforeSend`).
    """

    runtime: Runtime
    owns_runtime: bool = True
    on_commit: OnCommit | None = None
    conversation: Conversation | None = None
    tasks: list[asyncio.Task] = field(default_factory=list)
    app: Application | None = None
    intake: Intake | None = None  # kept answers (and, polling, every update) in the store
    polling: bool = True
    stop_requested: bool = False
    closing: bool = False  # STOP_GRACE after SIGTERM: no update starts any more (`limits.UpdateHooks`)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def responder(self) -> Responder:
        return self.runtime.responder

    # ---- lifecycle (post_init / post_stop / post_shutdown) ------------------------------------

    async def post_init(self, app: Application) -> None:
        if self.owns_runtime:
            await self.runtime.start()
        self.conversation = self.runtime.conversation(self.on_commit)
        store = self.runtime.store
        self.intake = Intake(store)
        if self.polling:
            for update in await self.intake.recover(app.bot):
                await app.update_queue.put(update)
            app.bot.polling.intake = self.intake
        self.tasks.append(asyncio.create_task(Outbox(store, self.intake).run(app.bot), name="outbox"))
        admins = self.settings.admin_ids
        self.runtime.admin_notices.append(lambda text: notify_admins(app.bot, admins, text))
        commands = [BotCommand(name, self._command_title(name, title)) for name, title in USER_COMMANDS]
        await app.bot.set_my_commands(commands)
        await register_admin_commands(app.bot, admins, commands)
        logger.info("bot @%s ready: %d intents", app.bot.username, len(self.responder.knowledge.intents))

    async def post_stop(self, app: Application) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def post_shutdown(self, app: Application) -> None:
        await self.post_stop(app)  # tasks left if startup was cut short
        if self.intake is not None:
            await self.intake.close()  # processed marks still waiting for a fetched batch
        if self.owns_runtime:
            await self.runtime.stop()

    def _command_title(self, name: str, default: str) -> str:
        flow = self.responder.flows.get(name)
        return flow.title if flow else default

    async def check(self, user_key: str) -> tuple[bool, bool]:
        """Flood control for `PerUserUpdateProcessor`: the conversation service's counters."""
        return await self.runtime.flood.check(user_key)

    async def processed(self, update: Update) -> None:
        """`PerUserUpdateProcessor` is through with an update: the intake forgets its payload."""
        if self.polling and self.intake is not None:
            self.intake.processed(update)

    # ---- handlers ------------------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, /help, /menu and the flow commands all go to the core's `command`."""
        message = update.effective_message
        name, _, arg = message.text.partition(" ")
        name = name[1:].split("@", 1)[0].lower()
        await self._answer(update, context, _turn(update, text=message.text, command=name, arg=arg))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = self._strip_mention(update.effective_message.text, context.bot.username)
        await self._answer(update, context, _turn(update, text=text))

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any other button: a core action (intent:…, sec:…, flow:…, menu), logged under its label."""
        query = update.callback_query
        await query.answer()
        data = query.data or ""
        message = query.message if isinstance(query.message, Message) else None
        label = button_label(message.reply_markup if message else None, data) or data
        await self._answer(update, context, _turn(update, text=label, action=data))

    async def on_not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice, files: say politely that the bot reads text."""
        await self._send(context, update, [OutgoingMessage(escape(texts.NOT_TEXT))])

    async def on_feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        parsed = parse_feedback(query.data or "")
        if parsed is None or self.conversation is None:
            await query.answer()
            return
        value, inquiry_id = parsed
        result = await self.conversation.feedback(CHANNEL, str(update.effective_user.id), inquiry_id, value)
        await query.answer(result.message)
        if result.recorded and isinstance(query.message, Message):
            with contextlib.suppress(TelegramError):  # the vote counts even if the edit fails
                await query.edit_message_reply_markup(without_feedback(query.message.reply_markup))

    async def on_dropped(self, update: Update, warn: bool) -> None:
        """An update flood control dropped: answer a button press anyway, note a flood once."""
        bot = update.get_bot()
        if update.callback_query:
            await update.callback_query.answer(TOO_FAST_TOAST if warn else None)
        elif warn and update.effective_chat:
            await bot.send_message(update.effective_chat.id, texts.TOO_FAST)
        if warn:
            logger.info("flood control: dropping a user's messages (update %d)", update.update_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log and carry on. A blocked bot (403) or a network hiccup is routine, not a crash."""
        error = context.error
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        seen = update.update_id if isinstance(update, Update) else None  # ids of people never reach the log
        if isinstance(error, Forbidden):
            logger.info("update %s: the chat cannot be written to (%s); carrying on", seen, error.message)
            return
        if isinstance(error, (NetworkError, RetryAfter)):
            logger.warning("update %s: Telegram request failed: %s", seen, error)
            return
        logger.error("error while handling update %s", seen, exc_info=error)
        if chat is not None:
            with contextlib.suppress(Exception):
                await context.bot.send_message(chat, texts.SORRY)

    # ---- helpers -------------------------------------------------------------------------------

    async def _answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE, turn: Turn) -> None:
        """One turn through the conversation service (flood control was passed before the queue)."""
        outcome = await self.conversation.turn(turn, admitted=True)
        await self._send(context, update, render(outcome.reply, outcome.feedback_id), outcome)

    async def _send(
        self, context: ContextTypes.DEFAULT_TYPE, update: Update, parts: list[OutgoingMessage], outcome: Outcome | None = None
    ) -> None:
        """Send the parts; the outcome's commit runs right before the last one leaves. What cannot
        leave now (`SendDeferred`) is kept in the intake, committed, and sent later."""
        chat_id = update.effective_chat.id
        reply_to = self._reply_parameters(update)
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            before = BeforeSend(outcome.commit) if last and outcome is not None else None
            try:
                await context.bot.send_html(chat_id, part.html, part.markup, reply_to, before)
            except SendDeferred as deferred:
                if self.intake is None:
                    raise
                quoted = reply_to.message_id if reply_to is not None else None
                await self.intake.keep(update.update_id, answer_parts(chat_id, parts[n:], quoted), deferred)
                if outcome is not None:
                    await outcome.commit()
                return
            reply_to = None

    @staticmethod
    def _strip_mention(text: str, username: str | None) -> str:
        if username:
            text = text.replace(f"@{username}", " ")
        return text.strip()

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
        rate_limiter=rate_limiter or LocalRateLimiter(overall_max_rate=settings.send_rate),
    )


def build_application(
    settings: Settings, bot: TelegramBot, rate_limiter: BaseRateLimiter | None = None, polling: bool = True
) -> Application:
    """Wire PTB: Bot API location, proxy, rate limiting, per-user processing, handlers.

    ``polling=False`` leaves out PTB's updater: a webhook worker hands updates in itself.
    """
    bot.polling = polling
    processor = PerUserUpdateProcessor(MAX_CONCURRENT_UPDATES, bot, bot.on_dropped, bot)
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
    add_admin_handlers(app, bot.runtime)
    add_handlers(app, bot)
    return app


def install_stop_signals(app: Application, bot: TelegramBot, loop: asyncio.AbstractEventLoop) -> None:
    """SIGINT/SIGTERM stop the bot gracefully at any moment, startup included, within `STOP_DEADLINE`.

    PTB's own handlers raise SystemExit inside whatever is running, which during startup can
    interrupt an HTTP request half-way. Ours ask PTB to stop (`stop_running`): at once when it
    is running, else as soon as it is. Updates fetched are answered for `STOP_GRACE` seconds more;
    then no update starts (``closing``: the rest stay in the intake) and the rate limiter gives up
    every wait (those answers are kept in the intake too). The store is closed and `run_polling` returns
    normally (exit code 0). Should anything still hang, the process ends at `STOP_DEADLINE`: all
    it had is in the store already.
    """

    def on_signal(signum: int) -> None:
        if bot.stop_requested:
            return
        bot.stop_requested = True
        logger.info("%s received: answering for %.0f s more, keeping the rest for the next start", signal.Signals(signum).name, STOP_GRACE)
        loop.call_later(STOP_GRACE, _close, app, bot)
        deadline = threading.Timer(STOP_DEADLINE, _stop_now)
        deadline.daemon = True
        deadline.start()
        app.stop_running()  # when not yet running, PTB stops right after post_init
        if not app.running and not any(t.get_name() == "stop-once-running" for t in bot.tasks):
            bot.tasks.append(loop.create_task(_stop_once_running(app), name="stop-once-running"))

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)


def _close(app: Application, bot: TelegramBot) -> None:
    """The grace is over: start no update, wait for nothing; what is left is kept in the intake."""
    bot.closing = True
    if isinstance(app.bot.rate_limiter, LocalRateLimiter):
        app.bot.rate_limiter.stop()


def _stop_now() -> None:
    logger.error("stopping took longer than %.1f s: exiting now; what was not sent is kept in the intake", STOP_DEADLINE)
    logging.shutdown()
    os._exit(0)


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
    """Long-poll until SIGINT/SIGTERM; returns after a clean shutdown (runtime stopped, store closed).
    One process: sessions and flood counters in memory."""
    username = asyncio.run(check_bot_api(settings))
    logger.info("connected to the Bot API as @%s", username)
    bot = TelegramBot(Runtime(settings, responder, open_store))
    app = build_application(settings, bot)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    install_stop_signals(app, bot, loop)
    app.run_polling(allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False, stop_signals=None)
