"""What the bot says around the answers, the same on every channel."""

NOT_TEXT = "抱歉，我目前只能阅读文字消息。请用文字描述您的问题，或发送“菜单”选择服务。"
TOO_FAST = "您发消息太快了 🙏 我会先回答前面的问题，请稍等几秒再发。"
FEEDBACK_THANKS = {"up": "谢谢您的肯定！", "down": "谢谢反馈，我们会改进这条解答。"}
FEEDBACK_GONE = "这条记录已不存在，谢谢您。"
FEEDBACK_NOT_YOURS = "只有提问的人可以评价这条解答，谢谢。"
FEEDBACK_FAILED = "暂时无法记录反馈，请稍后再试。"
SORRY = "抱歉，系统出了点问题，请稍后再试，或直接拨打 12348 公共法律服务热线。"
CHOICE_HINT = "回复编号即可选择，例如回复 1 查看“{}”。"
