"""Facts that differ by model: model words as written, split into one name per model, and
the per-model lists ("**Default values by model:**" then "- QwQ series: **40**"; "The maximum
input tokens for each model are as follows:" then "BAAI/bge-m3, Pro/BAAI/bge-m3: 8192").

Model words stay as the document writes them ("QwQ series", "qwen3-8b/14b (thinking)"): the
builder maps them to model ids. "All other models" / 其余 is the rest: ``models == ()``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._hits import Ctx, Fact, Hit, hit, is_blank, skip_spaces, words_pattern
from ._text import Text
from ._values import coerce, value_in

REST = ("all other models", "all others", "other models", "all models", "其余", "其他模型",
        "其余模型", "其它模型")
LEADS = ("and ", "由于", "因为", "对于", "for ")  # words before the first model name
SEPARATORS = (", and ", ", ", " and ", "、", "与", "和", ",")
MOST_ITEMS = 200


def model_names(text: Text, start: int, stop: int) -> tuple[str, ...]:
    """The model words in text[start:stop], split at commas and "and" outside parentheses,
    each quoted from the document; the rest ("All other models") is ``()``."""
    words = text.text[start:stop]
    if words.strip().lower().rstrip(":") in REST:
        return ()
    names = []
    depth = 0
    i = piece = start
    while i < stop:
        char = text.text[i]
        depth += (char == "(") - (char == ")")
        separator = next((s for s in SEPARATORS if depth == 0 and text.text.startswith(s, i)),
                         None)
        if separator is not None:
            names.append((piece, i))
            i += len(separator)
            piece = i
            continue
        i += 1
    names.append((piece, stop))
    quoted = []
    for first, last in names:
        first = skip_spaces(text.text, first)
        while last > first and text.text[last - 1] in " .:":
            last -= 1
        for lead in LEADS:
            if text.low.startswith(lead, first):
                first = skip_spaces(text.text, first + len(lead))
        glued = text.text[last - 3:last - 2]
        if text.text.endswith("模型", first, last) and glued.isascii() and glued.isalnum():
            last -= 2  # `QVQ模型`: the model's name is `QVQ`
        if last > first:
            quoted.append(text.quote(first, last))
    return tuple(quoted)


DEFAULT_HEADER = words_pattern("default values by model", "default values", "不同模型的默认值",
                               "各模型的默认值")
LIMIT_HEADER = words_pattern("for each model are as follows", "for each model:",
                             "各模型的最大", "每个模型的最大")


def per_model_list(ctx: Ctx, at: int) -> Iterator[Hit]:
    """A header that announces per-model values, then one "models: value" line per group.

    Examples::

        **Default values by model:**\\n- QwQ series: **40**\\n- All other models: **20**
            => default = 40 @ QwQ series ; default = 20
        [number] **Default `top_k` values:**\\n\\n- QVQ series, qwen-vl-plus-2025-07-10, and
        qwen-vl-plus-2025-08-15: 10
            => default = 10 @ QVQ series | qwen-vl-plus-2025-07-10 | qwen-vl-plus-2025-08-15
        The maximum input tokens for each model are as follows:\\n\\nBAAI/bge-m3, Pro/BAAI/bge-m3:
        8192
            => x-limit:max_input_tokens = 8192 @ BAAI/bge-m3 | Pro/BAAI/bge-m3
    """
    text = ctx.texts[at]
    keyword = _header_keyword(text)
    if keyword is None:
        return
    items = list(_items(ctx, at, keyword))
    if not items:
        return
    yield hit(at, skip_spaces(text.text, 0), len(text.text.rstrip()))
    yield from items


def _header_keyword(text: Text) -> str | None:
    low = text.low.rstrip(" *")
    if not (low.endswith(":") or low.endswith("如下") or low.endswith("如下:")):
        return None
    if DEFAULT_HEADER.search(low) or ("default" in low and "values" in low):
        return "default"
    if LIMIT_HEADER.search(low) and "token" in low:
        from ._limits import limit_name  # the limit's meaning words live with the limits

        return f"x-limit:{limit_name(low)}"
    return None


def _items(ctx: Ctx, at: int, keyword: str) -> Iterator[Hit]:
    k = at + 1
    blanks = 0
    while k < len(ctx.texts) and k - at <= MOST_ITEMS and ctx.look_ahead():
        text = ctx.texts[k]
        if is_blank(text):
            blanks += 1
            if blanks > 2:
                return
            k += 1
            continue
        blanks = 0
        item = _item(ctx, k, keyword)
        if item is None:
            return
        yield item
        k += 1


def _item(ctx: Ctx, k: int, keyword: str) -> Hit | None:
    text = ctx.texts[k]
    start = skip_spaces(text.text, 0)
    if text.text.startswith(("- ", "* ", "• "), start):
        start = skip_spaces(text.text, start + 2)
    colon = text.text.rfind(":")
    if colon <= start:
        return None
    first = skip_spaces(text.text, colon + 1)
    value = value_in(text, first, stops=" ")
    if value is None or text.text[value.stop:].strip(" .。"):
        return None
    json_type = ctx.json_type if keyword == "default" else "integer"
    fact = Fact(keyword, coerce(value, json_type), models=model_names(text, start, colon))
    return hit(k, start, value.stop, fact)
