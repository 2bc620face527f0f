"""What the bot says around the answers, the same on every channel."""

NOT_TEXT = "抱歉，我目前只能阅读文字消息。请用文字描述您的问题，或发送“菜单”选择服务。"
TOO_FAST = "您发消息太快了 🙏 我会先回答前面的问题，请稍等几秒再发。"
FEEDBACK_THANKS = {"up": "谢谢您的肯定！", "down": "谢谢反馈，我们会改进这条解答。"}
FEEDBACK_GONE = "这条记录已不存在，谢谢您。"
FEEDBACK_NOT_YOURS = "只有提问的人可以评价这条解答，谢谢。"
FEEDBACK_FAILED = "暂时无法记录反馈，请稍后再试。"
SORRY = "抱歉，系统出了点问题，请稍后再试，或直接拨打 12348 公共法律服务热线。"
CHOICE_HINT = "回复编号即可选择，例如回复 1 查看“{}”。"
STALE_APOLOGY = (
    "抱歉，您之前发来的消息因系统故障没能及时回复。如果问题还需要解答，请重新发送，"
    "或直接拨打 12348 公共法律服务热线。"
)
UNANSWERED_KEPT_HOURS = 48  # bot.store.intake.KEEP_UNANSWERED_HOURS: the same promise


def kept_for(retention_days: int) -> str:
    return f"保存 {retention_days} 天后自动删除" if retention_days > 0 else "保存到工作人员定期清理时为止"


def privacy_note(retention_days: int) -> str:
    """One line under the welcome: what is kept, how long, that numbers are removed."""
    return f"🔒 您的提问会去掉电话、证件号等个人信息后{kept_for(retention_days)}，用于改进服务；详情请发 /privacy。"


def privacy(retention_days: int) -> str:
    """The answer to /privacy on every channel."""
    return (
        "🔒 隐私说明\n"
        "• 保存什么：您发来的问题和机器人的回答、您的 👍/👎 评价。不保存您的账号本身，只保存一个无法还原的编号。\n"
        "• 号码会被删除：手机号、电话、身份证号、银行卡号、邮箱、车牌号、姓名和住址等，在保存之前就换成 [手机号] 这样的占位符。\n"
        f"• 保存多久：{kept_for(retention_days)}。还没来得及回复的消息原文最多保留 {UNANSWERED_KEPT_HOURS} 小时，回复后立即删除。\n"
        "• 想查询或删除您的记录、对隐私有疑问：请拨打 12348 公共法律服务热线。"
    )
