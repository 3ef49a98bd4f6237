"""Defaults: labelled (`Default value: 0.8.`, `默认值为1`), fused (`defaultfalse`,
`default"text"`, `integerdefault:1required`), marked (`` `turbo` (default) ``, `false（默认值）`),
per model in one sentence (`qwen-math 系列、qwen-vl 系列默认值为1，其余均为20。`,
`默认为false（QwQ 模型默认值为 true）`, "`text` for most models, except …, which default to
`message`") and absent (`默认为空`, "left empty by default")."""

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
from ._models import model_names
from ._numbers import is_cjk
from ._text import Text, is_digit
from ._values import WORD_LONGEST, Value, as_written, coerce, value_in

# a label needs its connector ("is", "to", ":", 为) or a value fused to it (`defaultfalse`):
# "the default `top_k` value" names no value
LABEL = re.compile(r"defaults? ?(?:value ?)?(?:is |to |: ?|= ?)"
                   r"|default(?=[\"\[{\d-]|true|false|null|none)"
                   r"|默认值? ?(?:为|是|:) ?")
PROSE_STOPS = " ,;。，、()"
STOPWORDS = frozenset({"the", "a", "an", "is", "to", "be", "of", "this", "that", "it", "not",
                       "no", "set", "used", "by", "for", "and", "or", "in", "on", "values",
                       "value", "model", "models", "differ", "differs", "varies", "depends"})
BARE = re.compile(r"[\w./*:+\-x]+$")
FUSED_FLAG = "required"
REST_AFTER = re.compile(r"(?:其余|其他|其它)(?:模型)?(?:均|都)?(?:默认值)?(?:为|是) ?")


def default_label(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A default after its label, in every rendering met.

    Examples::

        [boolean] defaultfalse            => default = false
        [integer] default1                => default = 1
        [string] default"auto"            => default = "auto"
        [array] default["text"]           => default = ["text"]
        [object] default{}                => default = {}
        [number] `default:0.7`            => default = 0.7
        [integer] integerdefault:1required => default = 1
        [string] stringdefault:an island near sea, with seagulls required
            => default = "an island near sea, with seagulls"
        [string] `default:What will the industry face in 2025?`
            => default = "What will the industry face in 2025?"
        [number] Default value: 0.8.      => default = 0.8
        [string] Default value: */*, indicating that the client accepts any media type.
            => default = "*/*"
        [object] Defaults to `{"type": "text"}`.  => default = {"type": "text"}
        [boolean] Default is True.        => default = true
        [integer] default to 1234 if not set  => default = 1234
        [boolean] 默认值为 false           => default = false
        [integer] 默认值为1                => default = 1
        [string] 默认值为1                 => default = "1"
        [string] 默认为text，当设置为message时  => default = "text"
        [integer] qwen-plus-latest 默认值：129,024  => default = 129024 @ qwen-plus-latest
        [integer] qwen-math 系列、qwen-vl 系列默认值为1，其余均为20。
            => default = 1 @ qwen-math 系列 | qwen-vl 系列 ; default = 20
        [boolean] 默认为false（QwQ 模型默认值为 true）
            => default = false ; default = true @ QwQ 模型
        [number] 对于qwen-vl-ocr模型，repetition_penalty 的默认值为1.05
            => default = 1.05 @ qwen-vl-ocr
        [integer] For qwen-vl-ocr, the max_tokens parameter (maximum output length) defaults
            to 4096.  => default = 4096 @ qwen-vl-ocr
        [string] tools参数为空时，默认值为"none"。  => unread
        [integer] Default is the model's choice.  => nothing
        [string] default:\nApple      => default = "Apple"
        [integer] default:\n1024      => default = 1024
    """
    text = ctx.texts[at]
    for match in capped(LABEL.finditer(text.low)):
        found = _default_after(ctx, at, match)
        if found is None and not text.text[match.end():].strip():
            found = _default_below(ctx, at, match)
        if found is not None:
            yield found


def _default_below(ctx: Ctx, at: int, match: re.Match[str]) -> Hit | None:
    """``default:`` ending its line, the value alone on the next (a rendering that puts each
    cell on a line of its own)."""
    k = at + 1
    while k < len(ctx.texts) and is_blank(ctx.texts[k]) and k - at < 3:
        k += 1
    if k >= len(ctx.texts) or is_blank(ctx.texts[k]):
        return None
    below = ctx.texts[k]
    start = skip_spaces(below.text, 0)
    value = _whole(below, start, len(below.text.rstrip()))
    if value is None or value.stop - value.start > WORD_LONGEST:
        return None
    fact = Fact("default", coerce(value, ctx.json_type))
    return Hit((Piece(at, match.start(), match.end()), Piece(k, value.start, value.stop)),
               (fact,))


def _default_after(ctx: Ctx, at: int, match: re.Match[str]) -> Hit | None:
    text = ctx.texts[at]
    start, stop = match.start(), match.end()
    before = text.text[start - 1] if start > 0 else " "
    fused = (before.isalpha() and before.isascii()) or before == ">"
    value = _value(text, start, stop, fused)
    if value is None:
        return None
    written = coerce(value, ctx.json_type)
    models = _models_before(text, start)
    condition = _condition_before(text, start)
    if condition:
        return hit(at, start, value.stop, unread="a default that depends on another "
                   "parameter's value (a condition before it)")
    facts = [Fact("default", written, models=models)]
    end = value.stop
    rest = _rest_after(ctx, text, value.stop)
    if rest is not None:
        facts.append(rest[0])
        end = rest[1]
    return hit(at, start, end, *facts)


def _value(text: Text, start: int, stop: int, fused: bool) -> Value | None:
    j = skip_spaces(text.text, stop)
    if j >= len(text.text):
        return None
    around = text.code_around(start)
    code_stop = around[1] if around is not None else None
    if code_stop is not None and j < code_stop:  # `default:What … 2025?`: the code span ends it
        return _whole(text, j, code_stop)
    if fused and text.low[stop - 1:stop] == ":":  # `stringdefault:an island …required`
        return _whole(text, j, min(len(text.text), j + WORD_LONGEST))
    value = value_in(text, j, stops=PROSE_STOPS)
    if value is None:
        return None
    if isinstance(value.value, str) and not value.quoted and not _plausible(value.token):
        return None
    return value


def _whole(text: Text, start: int, stop: int) -> Value | None:
    words = text.text[start:stop].rstrip()
    if words.lower().endswith(FUSED_FLAG) and len(words) > len(FUSED_FLAG):
        words = words[: -len(FUSED_FLAG)].rstrip()
    if not words:
        return None
    value = value_in(text, start, stops="\n")
    if value is not None and value.stop == start + len(words):
        return value
    return as_written(text, Value(words, start, start + len(words), words))


def _plausible(token: str) -> bool:
    return bool(BARE.match(token)) and token.lower() not in STOPWORDS \
        and not any(is_cjk(char) for char in token)


MODEL_ENDS = ("模型", "系列", "series", "models", "model")


def _clause_start(text: str, i: int) -> int:
    """Back to the start of the clause (parentheses balanced; bounded)."""
    depth = 0
    j = i
    while j > 0 and i - j < 240:
        char = text[j - 1]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return j
            depth -= 1
        elif depth == 0 and char in ",，。;；:\n":
            return j
        j -= 1
    return j


def _models_before(text: Text, start: int) -> tuple[str, ...]:
    first = _clause_start(text.text, start)
    words = text.text[first:start].rstrip(" 的")
    low = words.lower()
    owner = low.find("模型的")  # `X模型的max_tokens参数默认为 4096`: X's default
    if owner != -1:
        return model_names(text, skip_spaces(text.text, first), first + owner + 2)
    if low.endswith(MODEL_ENDS) or _looks_like_model_ids(words):
        return model_names(text, skip_spaces(text.text, first), first + len(words))
    previous = _clause_start(text.text, first - 1) if first > 0 else 0
    head = text.low[previous:first].strip(" ,，")
    named = head[2:] if head.startswith("对于") else head[4:]
    if head.startswith(("对于", "for ")) and (head.endswith(MODEL_ENDS)
                                            or _looks_like_model_ids(named)):
        begin = previous + text.low[previous:first].find(head) + (2 if head[0] == "对" else 4)
        return model_names(text, begin, previous + text.low[previous:first].rfind(head[-1]) + 1)
    return ()


def _looks_like_model_ids(words: str) -> bool:
    tokens = words.replace("、", " ").replace(",", " ").split()
    return bool(tokens) and all(("-" in token and any(is_digit(c) for c in token))
                                or token.lower().startswith("qwen") for token in tokens)


CONDITION = words_pattern("时", "when ", "if ")


def _condition_before(text: Text, start: int) -> bool:
    first = max(0, start - 40)
    head = text.low[first:start]
    cut = max(head.rfind("。"), head.rfind(". "))
    return bool(CONDITION.search(head[cut + 1:]))


def _rest_after(ctx: Ctx, text: Text, stop: int) -> tuple[Fact, int] | None:
    """`…默认值为1，其余均为20`: the rest's default after a per-model one."""
    j = skip_spaces(text.text, stop, also=",，")
    match = REST_AFTER.match(text.text, j)
    if match is None:
        return None
    value = value_in(text, match.end(), stops=PROSE_STOPS)
    if value is None:
        return None
    return Fact("default", coerce(value, ctx.json_type)), value.stop


MARKER = words_pattern("(default)", "(默认值)", "(默认)", "(recommended, default)")


def default_marker(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A value marked as the default where it is listed.

    Examples::

        [string] `turbo` (default) balances speed and effectiveness.  => default = "turbo"
        [boolean] false（默认值）：模型生成完所有内容后一次性返回结果。  => default = false
        [boolean] False（默认值）：不输出。  => default = false
        [boolean] - `tool_stream=false`: Tool arguments are returned all at once (default).
            => default = false
        [object] `{"type": "auto"}`: model decides whether to call tools (default).
            => default = {"type": "auto"}
    """
    text = ctx.texts[at]
    for match in capped(MARKER.finditer(text.low)):
        value = _marked_value(text, match.start())
        if value is not None:
            yield hit(at, value.start, match.end(), Fact("default", coerce(value,
                                                                          ctx.json_type)))


def _marked_value(text: Text, marker: int) -> Value | None:
    """The value the marker follows: a value opening its clause (`false（默认值）`), a code
    span right before it, or the code span that opens the sentence (`` `x=false`: … ``)."""
    end = marker
    while end > 0 and text.text[end - 1] == " ":
        end -= 1
    begin = end
    while begin > 0 and text.text[begin - 1] not in " :,;(\n" and end - begin < 80:
        begin -= 1
    value = value_in(text, begin, stops=" (")
    opens = begin == skip_spaces(text.text, 0, also="-*") or text.code_end(begin) is not None
    if value is not None and value.stop == end and opens and _plausible_marked(value):
        return value
    first = skip_spaces(text.text, sentence_start(text.text, marker), also="-*")
    code = text.code_end(first)
    if code is None:
        return None
    inner = text.text[first:code]
    if "=" in inner and not inner.startswith(("{", "[")):
        j = first + inner.index("=") + 1
        return value_in(text, j, stops=" )")
    return value_in(text, first, stops=" )")


def _plausible_marked(value: Value) -> bool:
    return value.quoted or not isinstance(value.value, str) or _plausible(value.token)


ABSENT = words_pattern("默认为空", "默认不传递该参数", "默认不传", "默认无设置", "默认无",
                       "is left empty", "left empty by default", "not set by default")


def default_absent(ctx: Ctx, at: int) -> Iterator[Hit]:
    """The document says there is no default: the parameter is absent unless sent.

    Examples::

        默认为空                                => x-no-default = true
        By default, the top_k parameter is left empty  => x-no-default = true
        默认不传递该参数，取值为None时表示不启用     => x-no-default = true
    """
    text = ctx.texts[at]
    for match in capped(ABSENT.finditer(text.low)):
        start = match.start()
        by_default = text.low.rfind("by default", max(0, start - 40), start)
        yield hit(at, by_default if by_default != -1 else start, match.end(),
                  Fact("x-no-default", True))


EXCEPT = re.compile(r"for (?:most|all) models,? except ")
WHICH = words_pattern("which default to", "which defaults to", "which is", "which are")


def default_except(ctx: Ctx, at: int) -> Iterator[Hit]:
    """One value for most models, another for the models named after "except".

    Examples::

        [string] **Default values:** `text` for most models, except Qwen3-Max, QwQ, and Qwen3 open
        source models (excluding qwen3-next), which default to `message`.
            => default = "text"
            ; default = "message"
              @ Qwen3-Max | QwQ | Qwen3 open source models (excluding qwen3-next)
    """
    text = ctx.texts[at]
    for match in capped(EXCEPT.finditer(text.low)):
        end = _value_before(text, match.start())
        if end is None:
            continue
        value, first = end
        which = WHICH.search(text.low, match.end(), match.end() + 400)
        if which is None or "default" not in which.group():
            continue
        other = value_in(text, skip_spaces(text.text, which.end()), stops=PROSE_STOPS)
        if other is None:
            continue
        models = model_names(text, match.end(), which.start())
        label = text.low.rfind("default values", max(0, first - 30), first)
        yield hit(at, label if label != -1 else first, other.stop,
                  Fact("default", coerce(value, ctx.json_type)),
                  Fact("default", coerce(other, ctx.json_type), models=models))


def _value_before(text: Text, stop: int) -> tuple[Value, int] | None:
    end = stop
    while end > 0 and text.text[end - 1] == " ":
        end -= 1
    begin = end
    while begin > 0 and text.text[begin - 1] not in " :" and end - begin < 80:
        begin -= 1
    value = value_in(text, begin, stops=" ")
    if value is None or value.stop != end:
        return None
    return value, begin
