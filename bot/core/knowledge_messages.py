"""What the knowledge loader tells staff, in Chinese, at the line where the mistake was made.

Staff edit the intent files by hand or in the console. The YAML parser and jsonschema speak
English jargon and often point past the mistake (an unclosed quote on line 7 reported at line 94),
so this module turns their errors into what to change, naming each field by its Chinese name and
its YAML key (“首条答复（summary）”), and names the mistakes staff really make: a full-width colon
as the key separator, Tab indentation, an unclosed quote, Chinese commas inside a list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

import yaml
from jsonschema import ValidationError

FIELD_NAMES = {
    "intents": "意图列表",
    "id": "编号",
    "title": "标题",
    "kind": "类别",
    "priority": "紧急优先",
    "out_of_scope": "不在服务范围",
    "keywords": "关键词",
    "examples": "例句",
    "summary": "首条答复",
    "sections": "分段",
    "text": "内容",
    "buttons": "按钮",
    "sources": "法律依据",
    "contacts": "联系方式",
    "reviewed": "审核日期",
}
CONTACT_FIELD_NAMES = {"name": "名称", "address": "地址", "phone": "电话", "hours": "办公时间", "url": "网址", "note": "备注"}
KIND_NAMES = {"service": "公共法律服务", "topic": "常见问题", "smalltalk": "寒暄与导航"}
SEVERITY_WORDS = {"error": "错误", "warning": "提醒"}
CHINESE_COMMAS = "，、；"
FULL_WIDTH_COLON = "："
MAX_LINES_LISTED = 5  # Tab-indented lines named one by one; the rest are counted
CLOSE_MATCH_CUTOFF = 0.6  # how alike a misspelt key must be to a known one to suggest it

# A line whose key (a field of the files, so that no text such as ``app：下载`` in an answer counts)
# is written with a full-width colon: ``summary：…``, ``  - id：one``.
_FULL_WIDTH_KEY = re.compile(rf"^\s*(?:-\s+)?({'|'.join([*FIELD_NAMES, *CONTACT_FIELD_NAMES])})\s*：")
# A line that looks like the start of a field, for telling an unclosed quote from a long quoted text.
_ID = re.compile(r"[a-z][a-z0-9_]*")
_KEY_LINE = re.compile(r"\n\s*(?:-\s+)?[a-z_][a-z0-9_]*\s*:(?:\s|$)")

Located = tuple[int | None, str]  # (line, message)


def field_name(key: str, names: dict[str, str] = FIELD_NAMES) -> str:
    """``首条答复（summary）``: the Chinese name staff see in the console, and the key they type."""
    return f"{names[key]}（{key}）" if key in names else f"“{key}”"


def full_width_key_lines(text: str) -> list[Located]:
    """Every line whose key is followed by a full-width colon: YAML reads no key there."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _FULL_WIDTH_KEY.match(line)
        if match:
            key = match.group(1)
            found.append((number, f"第{number}行用了全角冒号“：”，YAML 需要半角冒号“:”：请写成“{key}: …”（冒号后面空一格）"))
    return found


def _tab_lines(text: str) -> list[Located]:
    numbers = [n for n, line in enumerate(text.splitlines(), 1) if "\t" in line[: len(line) - len(line.lstrip())]]
    found: list[Located] = [(n, f"第{n}行用 Tab 键缩进，YAML 只能用空格缩进：请把 Tab 换成空格，和同一层的行对齐") for n in numbers[:MAX_LINES_LISTED]]
    if len(numbers) > MAX_LINES_LISTED:
        found.append((numbers[MAX_LINES_LISTED], f"还有 {len(numbers) - MAX_LINES_LISTED} 行也用了 Tab 缩进（第{numbers[MAX_LINES_LISTED]}行起）"))
    return found


def _open_quote(text: str, error: yaml.MarkedYAMLError) -> Located | None:
    """Where a quote was opened and never closed, which the parser reports far later (or at the end)."""
    context = error.context_mark
    if context is not None and "quoted scalar" in (error.context or "") and "end of stream" in (error.problem or ""):
        return context.line + 1, _quote_message(context.line + 1, text[context.index])
    stop = error.problem_mark.line if error.problem_mark else len(text)
    tokens = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            tokens.append(token)
    except yaml.YAMLError:
        pass  # the tokens before the scanner gave up are what we look at
    for token in tokens:
        if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'") and token.start_mark.line < stop:
            raw = text[token.start_mark.index : token.end_mark.index]
            if token.end_mark.line > token.start_mark.line and _KEY_LINE.search(raw):
                line = token.start_mark.line + 1
                return line, _quote_message(line, raw[0])
    return None


def _quote_message(line: int, quote: str) -> str:
    return f"第{line}行的引号“{quote}”没有配对：这里开了引号却没有关上。请在这段文字末尾补上“{quote}”，或去掉这个引号"


def _parser_words(error: yaml.YAMLError) -> Located:
    """The parser's complaint as what to change, at the line it concerns."""
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    line = mark.line + 1 if mark else None
    if "could not find expected ':'" in problem:
        line = context_mark.line + 1 if context_mark else line
        return line, "这一行缺少半角冒号“:”：字段要写成“名称: 内容”（冒号后面空一格）；若是接着上一行的文字，请和上一行的内容对齐"
    if "mapping values are not allowed" in problem:
        return line, "这一行的冒号“:”放错了地方：文字里有“: ”时请给整段文字加引号（如 '注意: 带身份证'），并检查这一行和上一行的缩进是否对齐"
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        line = context_mark.line + 1 if context_mark else line
        return line, "方括号“[ ]”里的列表没有写完：检查是否少了“]”，项和项之间要用半角逗号“,”分开，如 [调解, 说和]"
    if problem.startswith(("expected <block end>", "did not find expected key", "did not find expected '-'", "expected <block")):
        return line, "这一行的缩进不对：同一层的字段要用同样多的空格对齐，列表的每一项以“- ”开头"
    if "unknown escape character" in problem:
        return line, "双引号里的反斜杠“\\”后面跟了不能转义的字符：请改用单引号，或删掉反斜杠"
    if "cannot start any token" in problem:
        char = problem.split("'")[1] if problem.count("'") >= 2 else ""
        return line, f"这一行的内容以“{char}”开头，YAML 不允许：请给整段文字加引号"
    if "single document" in context or "another document" in problem:
        return line, "一个文件里只能有一份内容：请删掉“---”分隔线，或把后面的内容移到另一个文件"
    if "block scalar" in context:
        return line, "“|”或“>”后面的写法不对：“|”后面直接换行，从下一行起缩进写内容"
    if "comment or a line break" in problem:
        return line, "这一行在引号或“|”之后还有别的文字：请把整段文字放进引号里，或删掉多出的部分"
    if "end of stream" in problem:
        return line, "文件意外结束：检查最后几行的引号和括号是否配对"
    return line, f"这一行的 YAML 写法不对，文件读不下去（解析器原文：{problem}）"


def yaml_problems(text: str, error: yaml.YAMLError) -> list[Located]:
    """A file that does not parse: the full-width colons in it, and what the parser's error means,
    at the line where the mistake is (an open quote where it opened, not where the parser gave up)."""
    colons = full_width_key_lines(text)
    mark = getattr(error, "problem_mark", None)
    stop = mark.line + 1 if mark else None
    if colons and (stop is None or colons[0][0] <= stop):
        return colons  # the parser's complaint follows from the first of them
    if "\\t" in (getattr(error, "problem", None) or "") or "tab character" in str(error):
        return colons + _tab_lines(text)
    if isinstance(error, yaml.MarkedYAMLError) and (quote := _open_quote(text, error)):
        return colons + [quote]
    return colons + [_parser_words(error)]


def decode_line(raw: bytes, error: UnicodeDecodeError) -> int:
    return raw[: error.start].count(b"\n") + 1


# --- the JSON-Schema errors ---------------------------------------------------------------


def _subject(path: Sequence[Any], data: Any) -> str:
    """What the error is about: 意图 legal_aid 的分段（sections）第 2 段的标题（title）."""
    words: list[str] = []
    node, parent_key = data, ""
    for step in path:
        if isinstance(step, int):
            if parent_key == "intents":
                intent_id = node[step].get("id") if isinstance(node[step], dict) else None
                named = isinstance(intent_id, str) and _ID.fullmatch(intent_id)
                words = [f"意图 {intent_id} " if named else f"第 {step + 1} 个意图"]
            else:
                words.append(f"第 {step + 1} {'段' if parent_key == 'sections' else '项'}")
        else:
            words.append(("的" if words else "") + field_name(str(step)))
            parent_key = str(step)
        node = node[step] if isinstance(node, (dict, list)) else None
    return "".join(words) or "文件"


def _owner(path: Sequence[Any], data: Any) -> str:
    return "文件" if not path else _subject(path, data)


def _last_key(path: Sequence[Any]) -> str:
    return next((str(p) for p in reversed(path) if isinstance(p, str)), "")


_TYPE_ADVICE = {
    "string": "应为文字：请加引号（如 '12348'）",
    "array": "应为列表：写成 [甲, 乙]（半角逗号分开），或每项一行、以“- ”开头",
    "object": "应为一组“字段: 内容”，每个字段一行",
    "boolean": "只能写 true 或 false",
}


def _type_message(error: ValidationError, subject: str) -> str:
    expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
    if error.instance is None:
        return f"{subject}没有填写内容"
    advice = next((_TYPE_ADVICE[t] for t in expected if t in _TYPE_ADVICE), f"类型不对（应为 {'/'.join(expected)}）")
    if "array" in expected and isinstance(error.instance, str) and any(c in error.instance for c in CHINESE_COMMAS):
        advice += "；这里用了中文逗号“，”，多项之间要用半角逗号“,”"
    if "object" in expected and isinstance(error.instance, str) and FULL_WIDTH_COLON in error.instance:
        advice += "；这里用了全角冒号“：”，YAML 需要半角冒号“:”"
    return f"{subject}{advice}"


def _pattern_message(error: ValidationError, subject: str) -> str:
    value = str(error.instance)
    key = _last_key(error.absolute_path)
    if key == "buttons":
        text = f"{subject}“{value}”写法不对：应为意图编号（如 legal_aid）或 flow:流程名（如 flow:deadline）"
    elif key == "reviewed":
        return f"{subject}“{value}”写法不对：应为 2026-11-27 这样的年-月-日"
    else:
        text = f"{subject}“{value}”只能用小写字母、数字和下划线，并以字母开头（如 legal_aid）"
    if FULL_WIDTH_COLON in value:
        text += "；这里用了全角冒号“：”，请改成半角“:”"
    if any(c in value for c in CHINESE_COMMAS):
        text += "；这里用了中文逗号，一项只写一个，多项之间用半角逗号“,”分开"
    return text


def _misspelt(instance: dict, schema: dict) -> dict[str, str]:
    """Unknown key → the known key it most resembles (``titel`` → ``title``), for the keys that have one."""
    known = list(schema.get("properties", {}))
    guesses = {}
    for key in (k for k in instance if k not in known):
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=CLOSE_MATCH_CUTOFF)
        if close:
            guesses[key] = close[0]
    return guesses


def _additional(error: ValidationError, subject: str) -> list[tuple[str, str]]:
    """(unknown key, message) for each key the schema does not allow."""
    known = list(error.schema.get("properties", {}))
    guesses = _misspelt(error.instance, error.schema)
    required = set(error.schema.get("required", ()))
    found = []
    for key in (k for k in error.instance if k not in known):
        guess = guesses.get(key)
        must = "，必填" if guess in required and guess not in error.instance else ""
        advice = f"是不是想写“{guess}”（{FIELD_NAMES.get(guess, guess)}{must}）？" if guess else "是不是写错了？"
        found.append((key, f"{subject}里有不认识的字段“{key}”——{advice}可用的字段：{'、'.join(known)}"))
    return found


def schema_problems(error: ValidationError, data: Any) -> list[tuple[Sequence[Any], str]]:
    """One jsonschema error as (path of the YAML node to point at, Chinese message) pairs."""
    path = list(error.absolute_path)
    subject = _subject(path, data)
    value = error.validator_value
    if error.validator == "required":
        missing = [k for k in value if isinstance(error.instance, dict) and k not in error.instance]
        key = next((k for k in missing if error.message.startswith(repr(k))), missing[0] if missing else "?")
        if isinstance(error.instance, dict) and key in _misspelt(error.instance, error.schema).values():
            return []  # named with the misspelt key it most likely is
        return [(path, f"{_owner(path, data)}缺少必填项“{key}”（{FIELD_NAMES.get(key, key)}）")]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return [([*path, key], message) for key, message in _additional(error, _owner(path, data))]
    if error.validator == "type":
        if not path:
            empty = "文件是空的：" if error.instance is None else ""
            return [(path, f"{empty}意图文件的第一行应为“intents:”，下面是意图的列表")]
        return [(path, _type_message(error, subject))]
    if error.validator == "minItems":
        if _last_key(path) == "examples":
            return [(path, f"{subject}不能为空：至少写一句居民会怎么问")]
        return [(path, f"{subject}至少要有 {value} 项")]
    if error.validator == "minLength":
        return [(path, f"{subject}不能为空")]
    if error.validator == "maxLength":
        return [(path, f"{subject}有 {len(error.instance)} 个字，最多 {value} 个字")]
    if error.validator == "pattern":
        return [(path, _pattern_message(error, subject))]
    if error.validator == "enum":
        choices = "、".join(f"{v}（{KIND_NAMES[v]}）" if v in KIND_NAMES else str(v) for v in value)
        return [(path, f"{subject}只能是 {choices}之一，现在写的是“{error.instance}”")]
    return [(path, f"{subject}不符合要求（{error.message}）")]
