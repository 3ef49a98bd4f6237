"""Numbers that are not constraints, claimed before the constraint rules can misread them:
sentinels (a value that switches a feature off), examples, another API's range, ranges that
apply only on request, and "no strict range". Their readings use keywords that are not
constraints (``NOT_CONSTRAINTS``): the builder may cite them, never enforce them.
"""

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
    sentence_stop,
    skip_spaces,
    words_pattern,
)
from ._intervals import interval_at, range_after
from ._numbers import number_at, starts_number
from ._values import value_in
from ._words import COMPARATIVE, COMPARATIVES, after_filler

DISABLES = words_pattern("is disabled", "are disabled", "be disabled", "is turned off",
                         "has no effect", "不启用", "不生效", "禁用", "关闭该")


def sentinel(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A value that switches a feature off is no error: "If None or greater than 100, top_k
    is disabled" leaves 101 valid. Read as ``x-sentinel`` (never a bound).

    Examples::

        If `None` or greater than 100, top_k is disabled and only top_p takes effect.
            => x-sentinel = {"exclusiveMinimum": 100}
        If set to `null` or a value greater than 100, the `top_k` strategy is disabled
            => x-sentinel = {"exclusiveMinimum": 100}
        取值为None或当top_k大于100时，表示不启用top_k策略。
            => x-sentinel = {"exclusiveMinimum": 100}
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    seen: set[int] = set()
    for cue in capped(DISABLES.finditer(low)):
        start = sentence_start(low, cue.start())
        for match in capped(COMPARATIVE.finditer(low, start, cue.start())):
            if match.start() in seen:
                continue
            seen.add(match.start())
            number_start = after_filler(low, match.end())
            number = number_at(text, number_start) if starts_number(text, number_start) else None
            if number is not None:
                keyword = COMPARATIVES[match.group()][0]
                yield hit(at, match.start(), number.stop,
                          Fact("x-sentinel", {keyword: number.value}))


EXAMPLE_LABEL = re.compile(r"(?:example value|example|示例值|示例|e\.g\.) ?:? ?")
EXAMPLE_SENTENCE = words_pattern("for example", "for instance", "例如", "比如", "e.g.")
SET_TO = ("set to ", "is set to ", "取值为", "设置为", "设为", "为")


def example(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Examples are not constraints: "Example: 0.7" (value on the line or the next one) is
    read as ``examples``; a sentence starting "For example"/例如 is an illustration, whose
    numbers ("greater than or equal to 0.8") bound nothing.

    Examples::

        Example: 0.7                       => examples = [0.7]
        **Example:**\\n"Qwen/QwQ-32B"       => examples = ["Qwen/QwQ-32B"]
        For example, if this parameter is set to 0.8, the model selects tokens whose probability is
        greater than or equal to 0.8.
            => examples = [0.8]
        例如，取值为50时，仅将得分最高的50个Token组成候选集。  => examples = [50]
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    for match in capped(EXAMPLE_SENTENCE.finditer(low)):
        stop = sentence_stop(low, match.end())
        value = _set_value(text, low, match.end(), stop)
        facts = (Fact("examples", [value]),) if value is not None else ()
        yield hit(at, match.start(), stop, *facts)
    for match in capped(EXAMPLE_LABEL.finditer(low)):
        if not _is_label(low, match.start()) or not match.group().rstrip().endswith(":"):
            continue
        yield from _labelled_example(ctx, at, match.start(), match.end())


def _is_label(low: str, start: int) -> bool:
    """A label opens its line or follows a sentence's end (`**Example:**`)."""
    head = low[max(0, start - 8):start].rstrip(" *")
    if not head:  # nothing but spaces or emphasis for eight characters: the line's start
        return start < 8 or low[start - 8] in " *"
    return head[-1] in ".。:;!?)"


def _set_value(text: str, low: str, start: int, stop: int) -> object | None:
    for word in SET_TO:
        found = low.find(word, start, stop)
        if found != -1 and found - start < 40:
            j = skip_spaces(text, found + len(word))
            if starts_number(text, j):
                number = number_at(text, j)
                return number.value if number is not None else None
    return None


def _labelled_example(ctx: Ctx, at: int, start: int, stop: int) -> Iterator[Hit]:
    text = ctx.texts[at].text
    j = skip_spaces(text, stop)
    if j < len(text):
        value = value_in(ctx.texts[at], j, stops="\n")
        if value is not None:
            yield hit(at, start, value.stop, Fact("examples", [value.value]))
        return
    nxt = at + 1
    while nxt < len(ctx.texts) and nxt - at <= 2 and is_blank(ctx.texts[nxt]):
        nxt += 1
    if nxt < len(ctx.texts) and nxt - at <= 2:
        following = ctx.texts[nxt].text
        first = skip_spaces(following, 0)
        value = value_in(ctx.texts[nxt], first, stops="\n") if first < len(following) else None
        if value is not None and value.stop >= len(following.rstrip()):
            yield Hit((Piece(at, start, stop), Piece(nxt, first, value.stop)),
                      (Fact("examples", [value.value]),))
            return
    yield hit(at, start, stop)


FOREIGN = words_pattern("native", "differs from", "unlike ", "in contrast", "compared with",
                        "compared to", "openai's", "anthropic's")


def elsewhere(ctx: Ctx, at: int) -> Iterator[Hit]:
    """Another API's range quoted for contrast is not this one's: read as ``x-elsewhere``.

    Examples::

        This range differs from Anthropic&#x27;s native [0.0, 1.0] — verify it.
            => x-elsewhere = {"minimum": 0.0, "maximum": 1.0}
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    last = -1
    for match in capped(FOREIGN.finditer(low)):
        if match.start() < last:
            continue
        stop = sentence_stop(low, match.end())
        i = match.end()
        while i < stop:
            if text[i] in "[(":
                found = interval_at(text, low, i)
                if found is not None:
                    bounds = {fact.keyword: fact.value for fact in found[1]}
                    yield hit(at, match.start(), found[0], Fact("x-elsewhere", bounds))
                    last = found[0]
                    break
            i += 1


ON_REQUEST = words_pattern("申请", "apply for", "upon request", "on request", "contact us",
                           "发送邮件", "send an email", "send an e-mail", "submit a ticket")


def on_request(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A range that applies only after an application is not the API's bound: reported.

    Examples::

        如需提高该参数值（4097~8192范围），请发送邮件进行申请。  => unread
        To increase this parameter value (4097 to 8192), send an email to us.  => unread
    """
    text = ctx.texts[at].text
    low = ctx.texts[at].low
    for match in capped(ON_REQUEST.finditer(low)):
        start = sentence_start(low, match.start())
        i = start
        while i < match.start():
            first = number_at(text, i) if starts_number(text, i) else None
            if first is None:
                i += 1
                continue
            found = range_after(text, low, first)
            if found is not None:
                yield hit(at, found[0], found[1], unread="a range that applies only after an "
                          "application: not the API's bound")
                i = found[1]
            else:
                i = first.stop


NO_STRICT = words_pattern("没有严格的取值范围", "没有严格的范围", "no strict range",
                          "no strict limit", "no fixed range")


def no_strict_range(ctx: Ctx, at: int) -> Iterator[Hit]:
    """"No strict range" says there is no bound to read (a bound said beside it still is).

    Examples::

        没有严格的取值范围，只要大于0即可。  => x-unbounded = true
    """
    for match in capped(NO_STRICT.finditer(ctx.texts[at].low)):
        yield hit(at, match.start(), match.end(), Fact("x-unbounded", True))
