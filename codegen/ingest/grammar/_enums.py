"""Value lists: after a label on the same line ("Available options:a,b", "Choice between:
system, user, or assistant.", `当前可选值：system、user、assistant。`) or on the lines after
it (`可选值：` then `true：开启`, "Available options:" then `* item`), bracketed
(`[text|message]`), continued (`user` then `, assistant`), and single values ("Fixed as
`system`", "only `function` is supported")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import (
    Ctx,
    Fact,
    Hit,
    Piece,
    capped,
    hit,
    is_blank,
    sentence_start,
    skip_spaces,
    words_pattern,
)
from ._numbers import is_cjk
from ._text import Text
from ._values import Value, as_written, coerce, scalar, value_in

LABEL = re.compile(
    r"(?:valid values(?: of [a-z_.]+)?|available options|possible values|allowed values"
    r"|supported values|choice between|one of(?= ?:)|当前可选值|可选值|参数值及使用方法如下|参数值"
    r"|取值如下|有[两三四五六七八九十]种取值) ?(?::|为|是|are)? ?"
    r"|supported (?:formats|voices|values) are |can be either |取值为以下")
SEPARATORS = (", and ", ", or ", ", ", " and ", " or ", "、", "或", "和", ",", "|")
ITEM_STOPS = " ,;。，、()|]'\""
OPEN_ENDS = frozenset({"others", "other", "etc", "etc.", "...", "…", "等"})
MOST_ITEMS = 500
MOST_LOOSE = 6  # lines between two items of a list (a description, a sample's lines)
PARAMETER_LINE = re.compile(r"[a-z_][\w.-]* +(?:string|integer|boolean|number|float|object"
                            r"|array|int|bool|list|str|dict)\b")


def enum_label(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A list after its label; a label ending its line takes the items on the lines after.
    An open list ("…, others") gives examples, not an enum.

    Examples::

        [string] Available options:text,json_object,json_schema [​ ](#next)
            => enum = ["text", "json_object", "json_schema"]
        [string] Available options: `user`, `assistant`, `system`
            => enum = ["user", "assistant", "system"]
        [string] The role of the messages author. Choice between: system, user, or assistant.
            => enum = ["system", "user", "assistant"]
        [string] Valid values: text and message.   => enum = ["text", "message"]
        [string] The role of the messages author. Choice between: system, user,\n  or assistant.
            => enum = ["system", "user", "assistant"]
        [string] Valid values of role: system, user, and assistant.
            => enum = ["system", "user", "assistant"]
        [string] 角色当前可选值：system、user、assistant。
            => enum = ["system", "user", "assistant"]
        [object] 可选值：{"type": "text"}或{"type": "json_object"}。
            => enum = [{"type": "text"}, {"type": "json_object"}]
        [array] Valid values: `["text","audio"]` or `["text"]`.
            => enum = [["text", "audio"], ["text"]]
        [string] Valid values: `high` (high-effort inference) and `max` (maximum-effort inference).
            => enum = ["high", "max"]
        [string] Supported formats are `mp3`, `opus`, `wav`, `pcm`
            => enum = ["mp3", "opus", "wav", "pcm"]
        [string] Can be either `float` or [`base64`](https://pypi.org/project/pybase64/).
            => enum = ["float", "base64"]
        [string] Available options:\nfnlp/MOSS-TTSD-v0.5:alex,\nfnlp/MOSS-TTSD-v0.5:anna,
            => enum = ["fnlp/MOSS-TTSD-v0.5:alex", "fnlp/MOSS-TTSD-v0.5:anna"]
        [string] Available options: 1024x1024, 960x1280, others
            => examples = ["1024x1024", "960x1280"]
        [boolean]
        可选值：\\n\\ntrue：开启\\n\\n开启后，思考内容将通过reasoning_content字段返回。\\nfalse：不
        开启
            => enum = [true, false]
        [boolean] 是否返回输出 Token 的对数概率，可选值：\\n\\ntrue\\n\\n返回\\n\\nfalse\\n\\n不返回
            => enum = [true, false]
        [string] Available options:\\n\\n* baidu/ERNIE-4.5-300B-A47B\\n*
        Qwen/QwQ-32B\\n\\n**Example:**
            => enum = ["baidu/ERNIE-4.5-300B-A47B", "Qwen/QwQ-32B"]
        [string] Available options:\nBAAI/bge-reranker-v2-m3,\nnetease-youdao/bce-reranker-base_v1
            => enum = ["BAAI/bge-reranker-v2-m3", "netease-youdao/bce-reranker-base_v1"]
        [string]
        取值如下：\\n\\n'{"input":"cip","output":"cip"}'：进一步识别；\\n\\n不设置该参数：不进一步识
        别。
            => enum = ["{\\"input\\":\\"cip\\",\\"output\\":\\"cip\\"}"]
    """
    text = ctx.texts[at]
    content_end = len(text.text.rstrip(" *"))
    for match in capped(LABEL.finditer(text.low)):
        if match.start() > 0 and text.low[match.start() - 1].isalpha() \
                and text.low[match.start() - 1].isascii():
            continue
        if match.end() >= content_end:
            yield from _following(ctx, at, match.start(), match.end())
            continue
        found = _inline(ctx, at, skip_spaces(text.text, match.end()))
        if found is None:
            continue
        values, pieces = found
        first = pieces[0]
        pieces[0] = Piece(first.span, match.start(), first.stop)
        yield Hit(tuple(pieces), (_list_fact(values, ctx.json_type),))


def _list_fact(values: list[Value], json_type: str | None) -> Fact:
    if values and str(values[-1].value).lower() in OPEN_ENDS:
        return Fact("examples", [coerce(v, json_type) for v in values[:-1]])
    return Fact("enum", [coerce(v, json_type) for v in values])


def _item_at(text: Text, i: int, stops: str = ITEM_STOPS) -> Value | None:
    """One list member: a code span, a string, JSON, a markdown link's text or a bare word."""
    if i >= len(text.text):
        return None
    if text.text[i] == "[":
        close = text.text.find("]", i, i + 200)
        if close != -1 and text.text[close + 1:close + 2] == "(":
            end = text.text.find(")", close, close + 400)
            word = value_in(text, i + 1, stops="]")
            if word is not None and end != -1:
                return Value(word.value, i, end + 1, word.token)
    code = text.code_end(i)
    if code is not None:
        inner = value_in(text, i, stops="\n")
        if inner is not None and inner.stop == code:
            return inner
        return as_written(text, Value(scalar(text.text[i:code]), i, code, text.text[i:code]))
    value = value_in(text, i, stops=stops)
    if value is None or (isinstance(value.value, str) and not value.quoted and (
            any(is_cjk(char) for char in value.token) or not value.token.strip())):
        return None
    return value


def _skip_note(text: str, i: int) -> int:
    """`high` (high-effort inference): the note after a member is not a member."""
    j = skip_spaces(text, i)
    if j < len(text) and text[j] == "(":
        close = text.find(")", j, j + 120)
        if close != -1:
            return close + 1
    return i


def _inline(ctx: Ctx, at: int, i: int) -> tuple[list[Value], list[Piece]] | None:
    """The members from ``i`` on; a separator that ends the line (`system, user,` then
    `or assistant.`, a folded YAML description) carries the list on to the next one."""
    text = ctx.texts[at]
    values: list[Value] = []
    pieces: list[Piece] = []
    start = stop = i
    while len(values) < MOST_ITEMS:
        value = _item_at(text, i)
        if value is None:
            break
        values.append(value)
        stop = value.stop
        j = _skip_note(text.text, value.stop)
        separator = next((s for s in SEPARATORS if text.low.startswith(s, j)), None)
        if separator is None:
            break
        i = skip_spaces(text.text, j + len(separator))
        if i >= len(text.text) and at + 1 < len(ctx.texts) and len(pieces) < 3:
            pieces.append(Piece(at, start, stop))
            at, text = at + 1, ctx.texts[at + 1]
            start = skip_spaces(text.text, 0)
            joiner = next((w for w in ("or ", "and ") if text.low.startswith(w, start)), "")
            i = skip_spaces(text.text, start + len(joiner))
    if not values:
        return None
    pieces.append(Piece(at, start, stop))
    return values, pieces


def _following(ctx: Ctx, at: int, start: int, stop: int) -> Iterator[Hit]:
    """Items on the lines after the label, all in the first item's form (bullets, `value：…`
    or a value alone). Lines between items (descriptions, samples) are skipped, a few at a
    time; a line that starts another parameter (`name type …`) ends the list."""
    pieces = [Piece(at, start, stop)]
    values: list[Value] = []
    form: str | None = None
    loose = 0
    k = at + 1
    while k < len(ctx.texts) and len(values) < MOST_ITEMS and ctx.look_ahead():
        text = ctx.texts[k]
        k += 1
        if is_blank(text):
            continue
        if PARAMETER_LINE.match(text.low) or LABEL.search(text.low):
            break
        found = _line_item(text)
        if found is None or (form is not None and found[1] != form):
            loose += 1
            most = 1 if form is not None and form.startswith("alone") else MOST_LOOSE
            if loose > most or not values:
                break
            continue
        loose = 0
        form = found[1]
        values.append(found[0])
        pieces.append(Piece(k - 1, found[0].start, found[0].stop))
    if values:
        yield Hit(tuple(pieces), (_list_fact(values, ctx.json_type),), _mixed(values))


def _mixed(values: list[Value]) -> str | None:
    """Values and a described shape (`auto`, `none`, `{"type": "function", …}`) are no enum."""
    kinds = {type(value.value) for value in values}
    if dict in kinds and len(kinds) > 1:
        return "a value list that mixes values with an object's shape: not an enum"
    return None


_COLON_INSIDE = re.compile(r":[A-Za-z0-9_.\-]+\s*[,，、;]?\s*$")


def _line_item(text: Text) -> tuple[Value, str] | None:
    """(value, form): `* item`, `- item`, `value：description`, `value（推荐）：…`, or a
    value alone on its line."""
    i = skip_spaces(text.text, 0)
    bullet = text.text.startswith(("* ", "- "), i)
    if bullet:
        i = skip_spaces(text.text, i + 2)
    value = _item_at(text, i, ITEM_STOPS + ":")
    if value is None:
        return None
    if _COLON_INSIDE.match(text.text, value.stop):  # `fnlp/MOSS-TTSD-v0.5:alex,`: one id
        value = _item_at(text, i) or value
    after = skip_spaces(text.text, _skip_note(text.text, value.stop))
    # a written value (`"none": …`, `{"type": …}`) and a bare word (`name: …`) are two forms
    quoted = "-literal" if text.text[i:i + 1] in "\"'`{[" else ""
    rest = text.text[after:].rstrip()
    if after >= len(text.text.rstrip()) or rest in (",", "，", "、", ";"):  # `a,` then `b`
        return value, ("bullet" if bullet else "alone") + quoted
    if text.text[after] == ":":
        return value, ("bullet" if bullet else "colon") + quoted
    return None


PIPES = re.compile(r"\[[a-z0-9_|]+\]")


def pipe_list(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Alternatives in brackets, markdown escapes removed.

    Examples::

        [string] \\[text|message\\]，默认为text  => enum = ["text", "message"]
    """
    text = ctx.texts[at]
    for match in capped(PIPES.finditer(text.low)):
        words = text.text[match.start() + 1:match.end() - 1].split("|")
        if len(words) < 2 or not all(words):
            continue
        values = [Value(word, 0, 0, word) for word in words]
        yield hit(at, match.start(), match.end(), _list_fact(values, ctx.json_type))


def continued_list(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A value alone on its line, then lines that each start ", " and a value (a flattened
    list whose label was lost).

    Examples::

        [string] user\\n, assistant\\n, system  => enum = ["user", "assistant", "system"]
    """
    head = ctx.texts[at]
    if at > 0 and ctx.texts[at - 1].text.startswith(", "):
        return
    first = _whole_line_value(head, 0)
    if first is None:
        return
    pieces = [Piece(at, first.start, first.stop)]
    values = [first]
    k = at + 1
    while k < len(ctx.texts) and ctx.texts[k].text.startswith(", ") and len(values) < MOST_ITEMS \
            and ctx.look_ahead():
        value = _whole_line_value(ctx.texts[k], 2)
        if value is None:
            break
        values.append(value)
        pieces.append(Piece(k, 0, value.stop))
        k += 1
    if len(values) >= 2:
        yield Hit(tuple(pieces), (_list_fact(values, ctx.json_type),))


def _whole_line_value(text: Text, i: int) -> Value | None:
    value = _item_at(text, i)
    if value is None or value.stop != len(text.text.rstrip()):
        return None
    return value


SINGLE = words_pattern("fixed as ", "fixed value: ", "fixed value:", "fixed to ", "always ",
                       "only ", "supports only ", "只支持指定为", "只支持设置为", "只支持",
                       "仅支持", "固定为", "始终为")
# Chinese phrases whose value may stand bare, up to the sentence's end (`始终为chat.completion。`)
_BARE_AFTER = ("固定为", "始终为")
_BARE_TOKEN = re.compile(r"[A-Za-z][\w.\-]*(?=$|[。；;，,]|\s*$)")
_MEMBER = re.compile(r"[a-z_][a-z0-9_]*")
SUPPORTED_AFTER = (" is supported", " are supported", " is allowed", " is accepted")


def single_value(ctx: Ctx, at: int) -> Iterator[Hit]:
    """One allowed value, written as code or a string. A sentence that opens with another
    member's name (``type Fixed as …`` in the words of ``tool_choice``: a page listing
    members inline) says it of that member: reported.

    Examples::

        [string] The role for a system message. Fixed as `system`.  => const = "system"
        [string] Fixed value: `json_schema`.  => const = "json_schema"
        [string] The format of the output audio. Only `wav` is supported.  => const = "wav"
        [string] Currently, only `function` is supported.  => const = "function"
        [string] Tool type. Currently supports only `function`.  => const = "function"
        [string] type只支持指定为"function"。  => const = "function"
        [string] Always `assistant`.  => const = "assistant"
        [string] 始终为chat.completion。  => const = "chat.completion"
        [string] 对象类型，固定为chat.completion.chunk  => const = "chat.completion.chunk"
        [string] 始终为空。  => nothing
        [string] Currently, only functions are supported as a tool.  => nothing
        [string] type Fixed as "function".  => const = "function"
        [string] (tool_choice) type Fixed as "function".  => unread
        [string] (type) type Fixed as "function".  => const = "function"
        [string] (type) The type of tool. Currently only `function` is supported.
            => const = "function"
    """
    text = ctx.texts[at]
    for match in capped(SINGLE.finditer(text.low)):
        i = match.end()
        value = _quoted_item(text, i)
        if value is None and match.group() in _BARE_AFTER:
            bare = _BARE_TOKEN.match(text.text, i)
            value = Value(bare.group(), i, bare.end(), bare.group()) if bare else None
        if value is None:
            continue
        subject = text.low[sentence_start(text.low, match.start()):match.start()].strip()
        # `type Fixed as`: a name, then the phrase opening a sentence of its own (capital)
        inline = text.text[match.start()].isupper() or "_" in subject
        if ctx.name and subject != ctx.name.lower() and inline and _MEMBER.fullmatch(subject):
            yield hit(at, match.start(), value.stop,
                      unread=f"a value said of the member {subject!r}, not of {ctx.name!r}")
            continue
        stop = value.stop
        if match.group() == "only ":
            tail = next((s for s in SUPPORTED_AFTER if text.low.startswith(s, stop)), None)
            if tail is None:
                continue
            stop += len(tail)
        yield hit(at, match.start(), stop, Fact("const", coerce(value, ctx.json_type)))


def _quoted_item(text: Text, i: int) -> Value | None:
    if text.code_end(i) is None and text.text[i:i + 1] not in ("\"", "'"):
        return None
    return _item_at(text, i)
