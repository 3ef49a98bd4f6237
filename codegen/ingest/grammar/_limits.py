"""Token limits of a model, said in prose or in table cells: ``x-limit:<name>`` readings, where
the name comes from the words nearest the figure (context, input, output, their sum, the
chain of thought). References to "the model's maximum output length" are read as
``{"x-limit": name}`` values, for the builder to resolve per model."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._hits import (
    MOST_CUES,
    Ctx,
    Fact,
    Hit,
    capped,
    hit,
    sentence_start,
    sentence_stop,
    skip_spaces,
    words_pattern,
)
from ._models import model_names
from ._numbers import Number, next_number, number_at, starts_number
from ._text import Text

# meaning words -> limit name; the longest match wins where they overlap
MEANINGS = {
    "context window": "context_window", "context length": "context_window",
    "context": "context_window", "上下文": "context_window",
    "输入输出之和": "max_total_tokens", "input and output": "max_total_tokens",
    "input + output": "max_total_tokens", "in total": "max_total_tokens",
    "input": "max_input_tokens", "输入": "max_input_tokens", "prompt": "max_input_tokens",
    "every item": "max_input_tokens", "each item": "max_input_tokens",
    "每项": "max_input_tokens", "每个字符串": "max_input_tokens",
    "output": "max_output_tokens", "输出": "max_output_tokens",
    "completion": "max_output_tokens",
    "chain-of-thought": "max_thinking_tokens", "chain of thought": "max_thinking_tokens",
    "思维链": "max_thinking_tokens", "thinking": "max_thinking_tokens",
}
MEANING = words_pattern(*MEANINGS)
LIMIT_WORDS = ("up to", "maximum", "max ", "limit", "not exceed", "supports", "最大", "上限",
               "不得超过", "不超过", "支持", "context window", "上下文长度", "限制")
IMAGE_WORDS = ("image", "图片", "图像", "pixel", "像素", "video", "视频")
TOLERANCE = ("differ", "by up to", "off by", "误差", "偏差", "相差")
APPROXIMATE = ("~", "about ", "around ", "approximately ", "约", "大约")
TOKENS = re.compile(r" ?个? ?tokens?")
LABELS = ("context window", "context length", "上下文长度", "最大输入长度", "最大输出长度")


def limit_name(low: str) -> str:
    """The limit a header or label names (context_window when it names none)."""
    found = [(len(m.group()), MEANINGS[m.group()]) for m in MEANING.finditer(low)]
    thinking = "思考模式" in low or "thinking mode" in low
    names = [name for _, name in found if name != "max_thinking_tokens" or not thinking]
    name = names[0] if names else "context_window"
    return f"{name}_thinking" if thinking and name != "max_thinking_tokens" else name


def _nearest_meaning(low: str, start: int, number_start: int, number_stop: int) -> str | None:
    after = re.compile(r"(?:个 ?)?tokens?(?: for| of)? ?").match(low, skip_spaces(low,
                                                                              number_stop))
    if after is not None:
        match = MEANING.match(low, after.end())
        if match is not None:
            return MEANINGS[match.group()]
    best: tuple[int, str] | None = None
    for match in MEANING.finditer(low, start, number_start):
        best = (match.start(), MEANINGS[match.group()])
    return best[1] if best else None


def limit_words(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A token figure beside limit words: its name from the nearest meaning word.

    Examples::

        The model supports a context of up to 32,000 tokens, with a maximum of 30,000 tokens for
        input and 2,000 tokens for output.
            => x-limit:context_window = 32000 ; x-limit:max_input_tokens = 30000
            ; x-limit:max_output_tokens = 2000
        To ensure normal model use and output, the maximum number of input tokens is limited to
        6,000.
            => x-limit:max_input_tokens = 6000
        目前可选择farui-plus，输入输出之和最大限制为14000 tokens。
            => x-limit:max_total_tokens = 14000
        支持 100 万 Token 上下文。    => x-limit:context_window = 1000000
        Context Window24,000 tokens  => x-limit:context_window = 24000
        | Context Window ↗ | 32,000 tokens |  => x-limit:context_window = 32000
        The input must not exceed the max input tokens for the model (512 tokens for all models
        except BAAI/bge-m3 which is 8192)
            => x-limit:max_input_tokens = 512 ; x-limit:max_input_tokens = 8192 @ BAAI/bge-m3
        每个字符串不得超过模型的最大 tokens 限制（BAAI/bge-m3模型为8192tokens，其余模型为512tokens）
            => x-limit:max_input_tokens = 8192 @ BAAI/bge-m3 ; x-limit:max_input_tokens = 512
        reserve ~10k tokens as buffer for input and system overhead.  => unread
        The actual number of output tokens may differ from the configured value by up to 10
        tokens.  => unread
        输入图片的默认Token上限为1280  => unread
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    i = looked = 0
    while looked < MOST_CUES:
        number = next_number(text, low, i, magnitudes=True, fused_after=LABELS)
        if number is None:
            return
        looked += 1
        found = _limit_at(ctx, at, number)
        if found is None:
            i = number.stop
            continue
        yield found
        i = max(piece.stop for piece in found.pieces)


def _figure_end(low: str, number: Number) -> int | None:
    """Where "N tokens" ends, or None when the figure is no token count."""
    match = TOKENS.match(low, number.stop)
    if match is not None:
        return match.end()
    head = low[max(0, number.start - 16):number.start]
    if "token" in head or "context window" in head or "上下文长度" in head:
        return number.stop
    if "token" in low[number.stop:number.stop + 6]:
        return number.stop
    if re.search(r"(?:limited to|限制为|上限为) ?$", head) and "token" in low[
            max(0, number.start - 80):number.start]:
        return number.stop
    return None


def _limit_at(ctx: Ctx, at: int, number: Number) -> Hit | None:
    text = ctx.texts[at]
    low = text.low
    stop = _figure_end(low, number)
    if stop is None:
        return None
    sentence = sentence_start(low, number.start)
    clause = max(sentence, low.rfind(",", sentence, number.start) + 1,
                 low.rfind("，", sentence, number.start) + 1,
                 low.rfind("(", sentence, number.start) + 1)
    window = low[sentence:sentence_stop(low, number.stop)]
    if any(word in low[max(0, number.start - 3):number.start] for word in APPROXIMATE):
        return hit(at, _word_start(low, max(clause, number.start - 40)), stop,
                   unread="an approximate figure: advice, not a limit")
    if any(word in window for word in TOLERANCE):
        return hit(at, _word_start(low, max(clause, number.start - 40)), stop,
                   unread="a tolerance (\"may differ by up to\"), not a limit")
    if any(word in window for word in IMAGE_WORDS):
        return hit(at, _word_start(low, max(clause, number.start - 40)), stop,
                   unread="a token figure for images "
                   "(it depends on the input's resolution, not a limit of the model)")
    if not any(word in window for word in LIMIT_WORDS):
        return None
    name = _nearest_meaning(low, clause, number.start, number.stop) \
        or _nearest_meaning(low, sentence, number.start, number.stop)
    if name is None:
        return None  # "Up to 64 tokens" of a name: a length's (or, left over, unread)
    models, start = _models_of(text, clause, number.start)
    label = max(low.rfind(word, max(0, number.start - 24), number.start) for word in LABELS)
    start = label if label != -1 else start
    facts = [Fact(f"x-limit:{name}", number.value, number.inferred, models)]
    other = _except_which(ctx, at, stop, name)
    if other is not None:
        facts.append(other[0])
        stop = other[1]
    return hit(at, min(start, number.start), stop, *facts)


def _word_start(low: str, i: int) -> int:
    """``i``, or the start of the next word when ``i`` falls inside one."""
    if i > 0 and low[i - 1].isalnum() and low[i - 1].isascii():
        space = low.find(" ", i, i + 40)
        return space + 1 if space != -1 else i
    return i


MODEL_IS = re.compile(r"(?:模型|models?) ?(?:为|是|is|:) ?$")
REST_IS = re.compile(r"(?:其余|其他|其它)(?:模型)?(?:均|都)?(?:为|是) ?$")


def _models_of(text: Text, clause: int, number_start: int) -> tuple[tuple[str, ...], int]:
    head = text.low[clause:number_start]
    if REST_IS.search(head):
        return (), clause
    match = MODEL_IS.search(head)
    if match is None:
        return (), number_start
    first = skip_spaces(text.text, clause)
    return model_names(text, first, clause + match.start()), first


EXCEPT = re.compile(r" ?for all (?:other )?models,? except ")


def _except_which(ctx: Ctx, at: int, stop: int, name: str) -> tuple[Fact, int] | None:
    """"512 tokens for all models except BAAI/bge-m3 which is 8192"."""
    text = ctx.texts[at]
    match = EXCEPT.match(text.low, stop)
    if match is None:
        return None
    which = text.low.find(" which is ", match.end(), match.end() + 200)
    if which == -1:
        return None
    j = which + len(" which is ")
    number = number_at(text.text, j, magnitudes=True) if starts_number(text.text, j) else None
    if number is None:
        return None
    models = model_names(text, match.end(), which)
    end = TOKENS.match(text.low, number.stop)
    return Fact(f"x-limit:{name}", number.value, number.inferred, models), \
        end.end() if end else number.stop


REFERENCE = re.compile(r"(?:the )?model(?:'s|’s)? maximum ([a-z-]+(?: [a-z-]+)?) length"
                       r"|模型的?最大(输出|输入|思维链|上下文)长度"
                       r"|the model(?:'s|’s) (context window)")
SUBJECTS = {"default": "default", "默认值": "default", "maximum": "maximum", "最大值": "maximum"}


def limit_reference(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A default or maximum that is the model's own limit, named, not given.

    Examples::

        The default and maximum values correspond to the model&#x27;s maximum output length.
            => default = {"x-limit": "max_output_tokens"}
            ; maximum = {"x-limit": "max_output_tokens"}
        默认值和最大值都是模型的最大输出长度。
            => default = {"x-limit": "max_output_tokens"}
            ; maximum = {"x-limit": "max_output_tokens"}
        默认值为模型最大思维链长度，请参见：模型列表
            => default = {"x-limit": "max_thinking_tokens"}
        Default is the model&#x27;s maximum chain-of-thought length.
            => default = {"x-limit": "max_thinking_tokens"}
        Ensure that input tokens + max_tokens do not exceed the model’s context window.
            => x-budget = {"x-limit": "context_window"}
    """
    low = ctx.texts[at].low
    for match in capped(REFERENCE.finditer(low)):
        words = next(group for group in match.groups() if group)
        name = "context_window" if words == "context window" else limit_name(words)
        start = sentence_start(low, match.start())
        head = low[start:match.start()]
        if words == "context window":
            if "exceed" in head and "token" in head:
                yield hit(at, start, match.end(), Fact("x-budget", {"x-limit": name}))
            continue
        subjects = sorted({keyword for word, keyword in SUBJECTS.items() if word in head})
        if not subjects:
            continue
        first = min(head.find(word) for word in SUBJECTS if word in head)
        yield hit(at, start + first, match.end(),
                  *(Fact(keyword, {"x-limit": name}) for keyword in subjects))
