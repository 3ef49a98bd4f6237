"""Model ids a prose document names, as a request writes them, and the model words of its
per-model facts ("QwQ series", "qwen3-8b/14b (thinking)") matched to those ids.

Prose abbreviates lists of ids with slashes; each piece after the first is read against the
first: a full id stays, a date or `latest` is appended, a size replaces the last segment, and
a word segment that only the last piece carries is everyone's tail::

    qwen3-8b/14b/32b                 -> qwen3-8b, qwen3-14b, qwen3-32b
    qwen2.5-vl-3b/7b/72b-instruct    -> qwen2.5-vl-3b-instruct, …-7b-instruct, …-72b-instruct
    qwen-plus/qwen-plus-latest/2025-04-28 -> qwen-plus, qwen-plus-latest, qwen-plus-2025-04-28
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ._document import SourceDocument

# Model families whose ids each provider's documents write in lower case (DashScope hosts
# its own and other vendors' models under these names).
FAMILIES = {"dashscope": ("qwen", "qwq", "qvq", "deepseek", "kimi", "glm", "farui")}
_SEGMENT = r"[a-z0-9][a-z0-9.]*"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{4}$|^latest$")
_SIZE = re.compile(r"^\d+(?:\.\d+)?[bkm](?:-[a-z0-9.]+)*$")
_WORD_TAIL = re.compile(r"-([a-z]+)$")
# What real ids look like (qwen-plus-2025-04-28, Pro/deepseek-ai/DeepSeek-R1,
# @cf/meta/llama-3.1-8b-instruct): the longest known is under 50 characters.
MAX_ID_LENGTH = 100
_ID_SHAPE = re.compile(r"[A-Za-z0-9@][A-Za-z0-9._/:@-]*")


def _id_pattern(families: Iterable[str]) -> re.Pattern[str]:
    family = "|".join(sorted(families, key=len, reverse=True))
    piece = rf"{_SEGMENT}(?:-{_SEGMENT})*"
    # ASCII neighbours only: Chinese prose writes ids right beside its own words (使用qwen-plus)
    return re.compile(rf"(?<![A-Za-z0-9_./-])(?:{family})[a-z0-9.]*(?:-{_SEGMENT})*"
                      rf"(?:/{piece})*(?![A-Za-z0-9_/-])")


_GROUP_WORD = re.compile(r"\s*(?:series|系列)")


def expand(written: str, families: Iterable[str]) -> list[str]:
    """One id, or a slash-abbreviated list of ids, as the ids it stands for."""
    pieces = [p for p in written.strip(".").split("/") if p]
    if not pieces:
        return []
    first = pieces[0]
    starts = tuple(families)
    tail = ""
    rest = pieces[1:]
    if rest and not rest[-1].startswith(starts) and (found := _WORD_TAIL.search(rest[-1])) \
            and not any(_WORD_TAIL.search(p) for p in [first, *rest[:-1]]):
        tail = found.group()
        rest[-1] = rest[-1][: -len(tail)]
    ids = [first + tail]
    for piece in rest:
        if piece.startswith(starts):
            ids.append(piece)
        elif _DATE.match(piece):  # a snapshot of the first, or its latest in place of one
            last = first.rsplit("-", 1)
            dated = len(last) == 2 and last[1].isdigit()
            ids.append(f"{last[0]}-{piece}" if dated else f"{first}-{piece}")
        elif _SIZE.match(piece) and "-" in first:
            ids.append(f"{first.rsplit('-', 1)[0]}-{piece}{tail}")
        # any other piece is not an id this reading can name
    return ids


def named_ids(text: str, provider: str) -> list[tuple[str, int]]:
    """Every (model id, line) the text names, first mention first, for providers whose ids
    are lower-case family names (DashScope); others name their models in enums and lists."""
    families = FAMILIES.get(provider)
    if families is None:
        return []
    pattern = _id_pattern(families)
    seen: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        for found in pattern.finditer(line):
            if _GROUP_WORD.match(line, found.end()):
                continue  # "qwen-vl-plus series": a group of models, not one
            for model in expand(found.group(), families):
                if _is_id(model):
                    seen.setdefault(model, number)
    return sorted(seen.items(), key=lambda item: item[1])


def _is_id(model: str) -> bool:
    """An id has a second part (qwen-plus, qwen3-8b, glm-5), not a bare family or generation
    name ("qwen", "qwen3" as words of prose)."""
    return "-" in model and not model.endswith(("-", "."))


def group_members(words: str, models: Iterable[str], provider: str = "dashscope"
                  ) -> Iterator[str]:
    """The ids a model group names: an id itself (or the ids a slash list abbreviates),
    ``X series``/``X 系列``/``X models`` as every id starting with X (case-folded). Qualified
    groups ("Qwen3 (thinking)") depend on a mode, not the model: they name no id."""
    group = words.strip().strip("*").strip()
    if "(" in group or "（" in group:
        return
    low = group.lower()
    for suffix in (" series", "系列", " 系列", " models", " model", "模型"):
        if low.endswith(suffix):
            prefix = low[: -len(suffix)].strip().replace(" ", "-")
            yield from (m for m in models if m.lower().startswith(prefix))
            return
    written = expand(low, FAMILIES.get(provider, ())) if "/" in low else [low]
    yield from (m for m in models if m.lower() in written)


def implausible(model: str) -> str | None:
    """Why ``model`` cannot be a model id (it also names files), or None when it can be."""
    if len(model) > MAX_ID_LENGTH:
        return (f"a model id of {len(model)} characters ({model[:40]!r}…): ids have at most "
                f"{MAX_ID_LENGTH}; words glued together?")
    if not _ID_SHAPE.fullmatch(model):
        return (f"{model[:60]!r} is no model id: ids are letters, digits and -._/:@, "
                "starting with a letter, a digit or @")
    return None


def refuse_implausible(doc: SourceDocument, models: Iterable[tuple[str, int, str]]) -> None:
    """One clear line for the first model id (model, line, how) that cannot be one."""
    for model, line, how in models:
        if reason := implausible(model):
            where = "the manifest's `models`" if how == "manifest" else f"read as {how}"
            doc.fail(None if how == "manifest" else line, f"{reason} ({where})")
