"""`legalbot intents check`: what `rasa data validate` does, for our intent files.

Errors (exit non-zero): anything that stops the files loading (a button naming an unknown intent
or flow included), and the same example under two intents. Warnings (advice): examples another
intent matches better, duplicates within an intent, service and topic intents without keywords,
sources or a `reviewed` date, reviews older than a year, a first message (summary) too long for
a phone, an answer citing an article that its `sources` do not list, and a keyword with a Chinese
comma in it (``[调解，说和]`` is one keyword, not two). Every message is Chinese, at file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .core.compose import Composer
from .core.knowledge import Intent, Knowledge, KnowledgeError, Problem, load_knowledge
from .core.knowledge_messages import CHINESE_COMMAS, field_name
from .core.matcher import Matcher
from .core.normalise import clean_text, normalise_known
from .flows import all_flows

REVIEW_MAX_AGE = dt.timedelta(days=365)
SUMMARY_MAX_CHARS = 300  # the first message must fit a phone screen; the rest goes into sections
ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")
# A law named before an article: 《中华人民共和国法律援助法》, 法律援助法, 工伤保险条例, 民事诉讼法解释 …
LAW_NAME = re.compile(r"《([^》]{2,40})》|([\u4e00-\u9fff]{2,16}?(?:法|条例|办法|规定|解释))(?=\s*(?:（[^）]*）)?\s*第)")


def _duplicates(knowledge: Knowledge) -> list[Problem]:
    problems = []
    seen: dict[str, tuple[str, Path | None, int]] = {}
    for intent in knowledge.intents:
        for example, line in zip(intent.examples, intent.example_lines or [intent.line or 0] * len(intent.examples)):
            key = clean_text(example)
            if key in seen:
                other_id, other_file, other_line = seen[key]
                if other_id == intent.id:
                    problems.append(Problem(intent.file, line, f"意图 {intent.id} 的例句“{example}”重复了（第一次在第{other_line}行）：删掉一句", "warning"))
                else:
                    message = f"例句“{example}”已经是意图 {other_id} 的例句（{other_file}:{other_line}）：同一句不能属于两个意图，请删掉一处"
                    problems.append(Problem(intent.file, line, message))
            else:
                seen[key] = (intent.id, intent.file, line)
    return problems


def _confusions(knowledge: Knowledge, matcher: Matcher) -> list[Problem]:
    problems = []
    for intent in knowledge.intents:
        for position, (example, line) in enumerate(zip(intent.examples, intent.example_lines)):
            ranked = matcher.rank(normalise_known(example), leave_out=(intent.id, position))
            if ranked and ranked[0].intent != intent.id:
                own = next((c.score for c in ranked if c.intent == intent.id), 0.0)
                if ranked[0].score > own:
                    best = knowledge[ranked[0].intent]
                    digits = 1 if round(ranked[0].score) == round(own) else 0  # never "100 高于 100"
                    message = (
                        f"意图 {intent.id} 的例句“{example}”更像“{best.title}”（{best.id}）：得分 {ranked[0].score:.{digits}f}，"
                        f"高于本意图的 {own:.{digits}f}。可以换个说法、把它移到 {best.id}，或给本意图补关键词"
                    )
                    problems.append(Problem(intent.file, line, message, "warning"))
    return problems


def _completeness(knowledge: Knowledge, today: dt.date) -> list[Problem]:
    problems = []
    for intent in knowledge.intents:
        is_service = intent.kind in ("service", "topic") and not intent.priority and not intent.out_of_scope
        if is_service and not intent.sources:
            problems.append(Problem(intent.file, intent.line, f"意图 {intent.id} 没有{field_name('sources')}：写上答复所依据的法律和条文", "warning"))
        if is_service and not intent.keywords:
            problems.append(Problem(intent.file, intent.line, f"意图 {intent.id} 没有{field_name('keywords')}：写几个一出现就能说明是这个问题的词", "warning"))
        if intent.reviewed is None:
            problems.append(Problem(intent.file, intent.line, f"意图 {intent.id} 没有{field_name('reviewed')}：对照法律核对后，填上那天的日期，如 2026-11-27", "warning"))
        elif today - intent.reviewed > REVIEW_MAX_AGE:
            message = f"意图 {intent.id} 的{field_name('reviewed')}是 {intent.reviewed}，已超过一年：请对照现行法律重新核对，再更新日期"
            problems.append(Problem(intent.file, intent.line, message, "warning"))
    return problems


def _phone_size(knowledge: Knowledge) -> list[Problem]:
    return [
        Problem(
            intent.file,
            intent.line,
            f"意图 {intent.id} 的{field_name('summary')}有 {len(intent.summary)} 字，超过 {SUMMARY_MAX_CHARS} 字，手机上太长：把细节移到{field_name('sections')}",
            "warning",
        )
        for intent in knowledge.intents
        if len(intent.summary) > SUMMARY_MAX_CHARS
    ]


def _short_law(name: str) -> str:
    return name.strip("《》").removeprefix("中华人民共和国")


def cited_articles(text: str) -> list[tuple[str | None, str]]:
    """(law, article) for each article the text cites. The law is the one last named before it on
    the same line (``《法律援助法》第三十一条、第三十二条``); None when the line names none, since a
    bare ``（第二十四条）`` may belong to any law the answer speaks of."""
    cited: list[tuple[str | None, str]] = []
    for line in text.splitlines():
        law: str | None = None
        position = 0
        for match in ARTICLE.finditer(line):
            names = [_short_law(m.group(1) or m.group(2)) for m in LAW_NAME.finditer(line[position : match.start() + 1])]
            law = names[-1] if names else law
            cited.append((law, match.group()))
            position = match.end()
    return cited


def _citations(intent: Intent) -> list[Problem]:
    """An article in the answer must be in `sources`, so a citation and its source cannot drift apart."""
    sources = [_short_law(s.split("》")[0]) + "》" + s.partition("》")[2] if "》" in s else s for s in intent.sources]
    problems = []
    for text in intent.texts:
        for law, article in cited_articles(text):
            listed = any(article in s and (law is None or law in s or _short_law(s.split("》")[0]) in law) for s in sources)
            if not listed:
                where = f"{law}{article}" if law else article
                problems.append(Problem(intent.file, intent.line, f"意图 {intent.id} 的答复引用了{where}，但{field_name('sources')}里没有列出", "warning"))
    return problems


def _dead_buttons(knowledge: Knowledge) -> list[Problem]:
    """A button that would not show: a flow entered where it cannot be (``flow:deadline:k:typo``)."""
    composer = Composer(knowledge, {flow.name: flow for flow in all_flows()})
    return [
        Problem(intent.file, intent.line, f"意图 {intent.id} 的按钮“{action}”无法打开：流程没有这个入口")
        for intent in knowledge.intents
        for action in intent.buttons
        if composer.button_for(action) is None
    ]


def _comma_keywords(knowledge: Knowledge) -> list[Problem]:
    """``keywords: [调解，说和]`` loads as the one keyword “调解，说和”, which residents never type."""
    return [
        Problem(intent.file, line, f"意图 {intent.id} 的关键词“{keyword}”里有中文逗号，是不是想写成多个关键词？用半角逗号分开：[{', '.join(_split(keyword))}]", "warning")
        for intent in knowledge.intents
        for keyword, line in zip(intent.keywords, intent.keyword_lines or [intent.line or 0] * len(intent.keywords))
        if any(c in keyword for c in CHINESE_COMMAS)
    ]


def _split(keyword: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{CHINESE_COMMAS}]", keyword) if part.strip()]


def check_intents(directory: Path | None = None, today: dt.date | None = None) -> tuple[Knowledge | None, list[Problem]]:
    """Everything wrong or worth a look in an intent folder; errors first, then warnings."""
    try:
        knowledge = load_knowledge(directory, flow_names=[flow.name for flow in all_flows()])
    except KnowledgeError as exc:
        return None, exc.problems
    problems = _duplicates(knowledge) + _confusions(knowledge, Matcher(knowledge)) + _completeness(knowledge, today or dt.date.today())
    problems += _dead_buttons(knowledge) + _phone_size(knowledge) + _comma_keywords(knowledge) + [p for intent in knowledge.intents for p in _citations(intent)]
    problems.sort(key=lambda p: (p.severity != "error", str(p.path), p.line or 0))
    return knowledge, problems
