"""`legalbot review suggest|accept|dismiss`: the inbox of questions the bot could not answer well."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..admin.review import accept, dismiss, suggest
from ..core.matcher import Matcher
from ..settings import Settings
from .common import add_db_option, add_intents_option, intents_dir, knowledge_from, print_json, truncate, with_store
from .inquiries import positive

SHOWN_TEXTS = 3


def run_suggest(args: argparse.Namespace) -> int:
    matcher = Matcher(knowledge_from(args))
    clusters = with_store(args, lambda store: suggest(store, matcher, args.limit))
    if args.json:
        print_json([c.as_dict() for c in clusters])
        return 0
    if not clusters:
        print("待复核队列是空的：没有未匹配或被点 👎 的咨询")
        return 0
    for n, c in enumerate(clusters, 1):
        nearest = f"{c.nearest_intent}（{c.nearest_score:.0f} 分）" if c.nearest_intent else "无"
        print(f"#{n}  {c.count} 次（{len(c.texts)} 种说法）   最接近的意图：{nearest}   咨询编号：{', '.join(map(str, c.ids))}")
        for text in c.texts[:SHOWN_TEXTS]:
            print(f"    {truncate(text, 72)}")
        if len(c.texts) > SHOWN_TEXTS:
            print(f"    … 另有 {len(c.texts) - SHOWN_TEXTS} 条")
    print("\n加为例句：legalbot review accept 编号 --intent 意图    忽略：legalbot review dismiss 编号")
    return 0


def run_accept(args: argparse.Namespace) -> int:
    directory = intents_dir(args, Settings.from_env())
    result = with_store(args, lambda store: accept(store, args.inquiry_id, args.intent, directory, args.eval))
    print(f"已把咨询 {result.inquiry_id} 加为意图 {result.intent_id} 的例句：{result.file}:{result.line}")
    print(f"    {result.text}")
    for warning in result.warnings:
        print(warning)
    if result.eval_file is None:
        print("评估准确率：未计算（没有找到评估集，可用 --eval FILE 指定）")
    else:
        change = result.accuracy_after - result.accuracy_before
        print(f"评估准确率（{result.eval_file}）：{result.accuracy_before:.3f} → {result.accuracy_after:.3f}（{change:+.3f}）")
    print("正在运行的机器人收到 /reload 或自动重新加载后生效")
    return 0


def run_dismiss(args: argparse.Namespace) -> int:
    inquiry = with_store(args, lambda store: dismiss(store, args.inquiry_id))
    print(f"已忽略咨询 {inquiry.id}：{truncate(inquiry.text, 72)}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    review = commands.add_parser("review", help="the review queue: group unmatched/👎 questions, accept them as examples or dismiss them")
    sub = review.add_subparsers(dest="review_command", metavar="SUBCOMMAND", required=True)

    suggest_ = sub.add_parser(
        "suggest",
        help="unreviewed unmatched and 👎 inquiries grouped into clusters of similar questions, biggest first",
    )
    suggest_.add_argument("--json", action="store_true", help='a JSON list of {"count", "texts", "ids", "nearest_intent", "nearest_score"}')
    suggest_.add_argument("--limit", type=positive, metavar="N", help="at most N clusters")
    add_intents_option(suggest_)
    add_db_option(suggest_)
    suggest_.set_defaults(run=run_suggest)

    accept_ = sub.add_parser(
        "accept",
        help="add an inquiry's (redacted) text as an example of an intent and mark it accepted",
        description="Appends the text to the intent's examples in its YAML file (comments and layout kept), "
        "checks the intents (restoring the file if the check fails) and shows the eval accuracy before and after.",
    )
    accept_.add_argument("inquiry_id", type=positive, metavar="INQUIRY_ID", help="id from `review suggest` or `inquiries list`")
    accept_.add_argument("--intent", required=True, metavar="ID", help="intent id to teach, e.g. legal_aid")
    accept_.add_argument("--eval", type=Path, metavar="FILE", help="eval set for the before/after accuracy (default: <intents>/../tests/data/eval.jsonl, else the shipped tests/data/eval.jsonl)")
    add_intents_option(accept_)
    add_db_option(accept_)
    accept_.set_defaults(run=run_accept)

    dismiss_ = sub.add_parser("dismiss", help="take an inquiry out of the review queue without changing the intents")
    dismiss_.add_argument("inquiry_id", type=positive, metavar="INQUIRY_ID", help="id from `review suggest` or `inquiries list`")
    add_db_option(dismiss_)
    dismiss_.set_defaults(run=run_dismiss)
