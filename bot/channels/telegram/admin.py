"""Admin commands inside Telegram, for the ids in ``LEGALBOT_ADMIN_IDS`` (issue 4 §2).

/stats (today and the last 7 days, with a chart), /unmatched (latest unmatched questions with
buttons to accept one as an example of a suggested intent — the CLI's `review accept` — or
dismiss it), /reload (the intent files, atomically; a broken edit is reported with file:line
and the bot keeps the last good set), /export (the log as a CSV document). The work is done by
`bot.admin` (the same functions as the command line); these handlers only check who asks,
call them, and format the answer. Everyone else gets one polite "not available" and nothing
more; admin commands only work in a private chat, so the log never lands in a group.

Reloading itself (and watching the intent folder) is the runtime's (`bot.app.reload`), shared by
every channel; these handlers only ask for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from telegram import BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from ...admin.export import export_csv
from ...admin.stats import Stats, stats_summary
from ...app.runtime import Runtime
from ...core.knowledge import KnowledgeError
from ...store.base import InquiryFilter, now
from .render import MAX_CALLBACK_BYTES, escape, split_text

logger = logging.getLogger(__name__)

ADMIN_COMMANDS = (
    ("stats", "管理：今日和近7天统计"),
    ("unmatched", "管理：未匹配的问题"),
    ("reload", "管理：重新加载意图文件"),
    ("export", "管理：导出咨询记录 CSV"),
)
CALLBACK_PREFIX = "adm:"
UNMATCHED_SHOWN = 5
SUGGESTIONS_PER_QUESTION = 2

NOT_AVAILABLE = "抱歉，这个功能不对外开放。您可以直接提问，或发送 /menu 选择服务。"
PRIVATE_ONLY = "管理命令只能在与机器人的私聊中使用。"
NOTHING_UNMATCHED = "没有待处理的未匹配问题。"
WEEK_DAYS = 7


async def notify_admins(tg_bot, admin_ids: frozenset[int], text: str) -> None:
    """Tell every admin (`Runtime.admin_notices`: a broken intent edit, for one)."""
    for admin in sorted(admin_ids):
        try:
            await say(tg_bot, admin, text)
        except TelegramError as exc:  # an admin who never opened a chat with the bot
            logger.info("could not notify admin %s: %s", admin, exc)


async def say(tg_bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Plain text as escaped HTML, split to Telegram's limit, keyboard under the last part."""
    parts = split_text(text)
    for n, part in enumerate(parts):
        await tg_bot.send_message(chat_id, escape(part), reply_markup=markup if n == len(parts) - 1 else None)


def _title(runtime: Runtime, intent_id: str | None) -> str:
    intent = runtime.responder.knowledge.get(intent_id) if intent_id else None
    return intent.title if intent else (intent_id or "未匹配")


def stats_text(runtime: Runtime, today: Stats, week: Stats) -> str:
    def line(label: str, s: Stats) -> str:
        return (
            f"{label}：{s.total} 条咨询，未匹配 {s.unmatched} 条（{s.unmatched_rate:.0%}），"
            f"👍 {s.feedback['up']}  👎 {s.feedback['down']}"
        )

    lines = ["📊 咨询统计", line("今天", today), line(f"近{WEEK_DAYS}天", week)]
    top = [(intent, n) for intent, n in week.by_intent.items() if intent != "none"][:5]
    if top:
        lines.append(f"近{WEEK_DAYS}天最常问：")
        lines += [f"  • {_title(runtime, intent)}：{n}" for intent, n in top]
    return "\n".join(lines)


def _callback(*parts: object) -> str | None:
    data = CALLBACK_PREFIX + ":".join(map(str, parts))
    return data if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES else None


def unmatched_keyboard(runtime: Runtime, inquiry_id: int, text: str) -> InlineKeyboardMarkup:
    """Buttons: add the question to each suggested intent, or dismiss it."""
    candidates = runtime.responder.match(text).candidates[:SUGGESTIONS_PER_QUESTION]
    rows = [
        [InlineKeyboardButton(f"➕ 加入「{_title(runtime, c.intent)}」", callback_data=data)]
        for c in candidates
        if (data := _callback("acc", inquiry_id, c.intent))
    ]
    rows.append([InlineKeyboardButton("🗑 忽略", callback_data=_callback("dis", inquiry_id))])
    return InlineKeyboardMarkup(rows)


class AdminHandlers:
    """Thin handlers: check the user, call `bot.admin`, format the answer."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def allowed(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and user.id in self.runtime.settings.admin_ids

    async def guard(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """True when the command may run; else the polite refusal has been sent."""
        chat = update.effective_chat
        if not self.allowed(update):
            await context.bot.send_message(chat.id, NOT_AVAILABLE)
            return False
        if chat.type != ChatType.PRIVATE:
            await context.bot.send_message(chat.id, PRIVATE_ONLY)
            return False
        return True

    @property
    def store(self):
        return self.runtime.store

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self.guard(update, context):
            return
        today = now().date()
        week = await stats_summary(self.store, InquiryFilter(since=today - dt.timedelta(days=WEEK_DAYS - 1), until=today))
        day = week.between(today, today)
        chat_id = update.effective_chat.id
        await say(context.bot, chat_id, stats_text(self.runtime, day, week))
        from ...admin.charts import render_daily_chart  # noqa: PLC0415 - matplotlib only when asked (~30 MB)

        chart = await asyncio.to_thread(render_daily_chart, week)
        await context.bot.send_photo(chat_id, InputFile(chart, filename="inquiries-week.png"), caption=escape(f"近{WEEK_DAYS}天每日咨询量"))

    async def unmatched(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self.guard(update, context):
            return
        chat_id = update.effective_chat.id
        latest = await self.store.inquiries(InquiryFilter(unmatched=True, unreviewed=True, newest_first=True, limit=UNMATCHED_SHOWN))
        if not latest:
            await say(context.bot, chat_id, NOTHING_UNMATCHED)
            return
        await say(context.bot, chat_id, f"最近 {len(latest)} 条未匹配的问题（已脱敏）：")
        for inquiry in latest:
            when = inquiry.time.strftime("%m-%d %H:%M")
            text = f"#{inquiry.id}  {when}\n{inquiry.text}"
            await say(context.bot, chat_id, text, unmatched_keyboard(self.runtime, inquiry.id, inquiry.text))

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self.guard(update, context):
            return
        chat_id = update.effective_chat.id
        try:
            knowledge = await self.runtime.reloader.reload(announce=True)
        except KnowledgeError as exc:
            await say(context.bot, chat_id, f"❌ 意图文件有错误，未重新加载，机器人继续使用上一版：\n{exc}")
            return
        examples = sum(len(i.examples) for i in knowledge.intents)
        await say(context.bot, chat_id, f"✅ 已重新加载：{len(knowledge.intents)} 个意图，{examples} 条例句。")

    async def export(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self.guard(update, context):
            return
        inquiries = await self.store.inquiries()
        content = await asyncio.to_thread(export_csv, inquiries)
        name = f"inquiries-{now():%Y%m%d-%H%M}.csv"
        await context.bot.send_document(
            update.effective_chat.id, InputFile(content, filename=name), caption=escape(f"共 {len(inquiries)} 条咨询记录（已脱敏）")
        )

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """adm:acc:<inquiry>:<intent> and adm:dis:<inquiry> from /unmatched."""
        query = update.callback_query
        if not self.allowed(update):
            await query.answer(NOT_AVAILABLE)
            return
        action, _, rest = (query.data or "").removeprefix(CALLBACK_PREFIX).partition(":")
        number, _, intent_id = rest.partition(":")
        if not number.isdigit() or action not in ("acc", "dis"):
            await query.answer()
            return
        inquiry_id = int(number)
        from ...admin.review import ReviewError, accept, dismiss  # noqa: PLC0415 - ruamel.yaml only when asked

        try:
            if action == "acc":
                result = await accept(self.store, inquiry_id, intent_id, self.runtime.settings.intents_dir)
                await self.runtime.reloader.swap(result.knowledge)
                toast = "已加入例句"
                outcome = f"✅ 已作为「{_title(self.runtime, intent_id)}」的例句加入 {result.file.name}:{result.line}，立即生效。"
                if result.accuracy_before is not None and result.accuracy_after is not None:
                    outcome += f"\n评估准确率：{result.accuracy_before:.1%} → {result.accuracy_after:.1%}"
                outcome += "".join(f"\n⚠️ {w}" for w in result.warnings)
            else:
                await dismiss(self.store, inquiry_id)
                toast, outcome = "已忽略", "🗑 已忽略，不再出现在待处理列表中。"
        except ReviewError as exc:
            await query.answer("未完成")
            await say(context.bot, update.effective_chat.id, f"#{inquiry_id}：{exc}")
            return
        await query.answer(toast)
        message = query.message
        original = message.text if message is not None and getattr(message, "text", None) else f"#{inquiry_id}"
        with contextlib.suppress(TelegramError):
            await query.edit_message_text(escape(f"{original}\n\n{outcome}"), reply_markup=None)


async def register_admin_commands(tg_bot, admin_ids: frozenset[int], user_commands: list[BotCommand]) -> None:
    """Admins see the admin commands in their Telegram menu too (best effort per admin)."""
    commands = user_commands + [BotCommand(name, title) for name, title in ADMIN_COMMANDS]
    for admin in sorted(admin_ids):
        try:
            await tg_bot.set_my_commands(commands, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:  # the admin has not opened a chat with the bot yet
            logger.info("admin %s: commands not registered (%s)", admin, exc)


def add_admin_handlers(app: Application, runtime: Runtime) -> None:
    handlers = AdminHandlers(runtime)
    new = filters.UpdateType.MESSAGE
    for name, callback in (("stats", handlers.stats), ("unmatched", handlers.unmatched), ("reload", handlers.reload), ("export", handlers.export)):
        app.add_handler(CommandHandler(name, callback, filters=new))
    app.add_handler(CallbackQueryHandler(handlers.press, pattern=f"^{CALLBACK_PREFIX}"))
