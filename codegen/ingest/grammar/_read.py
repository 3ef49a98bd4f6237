"""The grammar's entry point: every rule over every span, in precedence order; words one rule
consumed are no other's; what is left and looks like a constraint is reported as Unread."""

from __future__ import annotations

from .._records import Span
from ._asides import elsewhere, example, no_strict_range, on_request, sentinel
from ._contract import Reading, Unread
from ._defaults import default_absent, default_except, default_label, default_marker
from ._enums import continued_list, enum_label, pipe_list, single_value
from ._hits import Ctx, Hit, Piece, Rule, trim
from ._intervals import chain, dash_range, interval
from ._lengths import character_class, length_range, length_words
from ._limits import limit_reference, limit_words
from ._models import per_model_list
from ._schema_words import schema_keyword
from ._text import normalise
from ._unread import unread_passages
from ._widgets import widget_range
from ._words import comparative, integer_width, sign

# Precedence: what is not a constraint first (it claims numbers the others would misread),
# then the most specific constructs before the general ones that could swallow them.
RULES: tuple[Rule, ...] = (
    sentinel, example, elsewhere, on_request, no_strict_range,
    schema_keyword,
    limit_reference, per_model_list, limit_words,
    default_except, default_absent, default_label,
    widget_range, length_range, length_words, character_class,
    integer_width, interval, chain, dash_range, comparative, sign,
    enum_label, pipe_list, continued_list, single_value,
    default_marker,
)
# rules whose words may also be another rule's: a marked default is also an enum member
OVERLAYS: frozenset[Rule] = frozenset({default_marker})


def read_constraints(spans: list[Span], json_type: str | None, name: str | None = None
                     ) -> tuple[list[Reading], list[Unread]]:
    """Readings and unread passages of one parameter's spans (see the package docstring);
    ``name``: the parameter's own, to tell what its words say of another member."""
    ctx = Ctx([normalise(span.text) for span in spans], json_type, [span.line for span in spans],
              name=name)
    accepted = _accepted(ctx)
    readings = [reading for rule, found in accepted for reading in _readings(ctx, rule, found)]
    unread = [_unread(ctx, found) for _, found in accepted if found.unread is not None]
    unread += _leftovers(ctx, accepted)
    readings.sort(key=lambda r: _order(r.pieces))
    unread.sort(key=lambda u: _order(u.pieces))
    return readings, unread


def _order(pieces: tuple[tuple[int, int, int], ...]) -> tuple[int, int]:
    return (pieces[0][0], pieces[0][1]) if pieces else (0, 0)


class _Taken:
    """Which normalised characters of each span a hit already holds (one byte each)."""

    def __init__(self, ctx: Ctx) -> None:
        self.masks = [bytearray(len(text.text)) for text in ctx.texts]

    def free(self, piece: Piece) -> bool:
        return self.masks[piece.span].find(1, piece.start, piece.stop) == -1

    def take(self, piece: Piece) -> None:
        self.masks[piece.span][piece.start:piece.stop] = b"\x01" * (piece.stop - piece.start)


def _accepted(ctx: Ctx) -> list[tuple[Rule, Hit]]:
    blocking, overlaid = _Taken(ctx), _Taken(ctx)
    accepted = []
    for rule in RULES:
        taken = overlaid if rule in OVERLAYS else blocking
        for at in range(len(ctx.texts)):
            for found in rule(ctx, at):
                pieces = [_trimmed(ctx, piece) for piece in found.pieces]
                if any(piece.stop <= piece.start or not taken.free(piece) for piece in pieces):
                    continue
                for piece in pieces:
                    taken.take(piece)
                accepted.append((rule, Hit(tuple(pieces), found.facts, found.unread)))
    return accepted


def _trimmed(ctx: Ctx, piece: Piece) -> Piece:
    start, stop = trim(ctx.texts[piece.span].text, piece.start, piece.stop)
    return Piece(piece.span, start, stop)


def _raw(ctx: Ctx, found: Hit) -> tuple[tuple[int, int, int], ...]:
    return tuple((piece.span, *ctx.texts[piece.span].raw_extent(piece.start, piece.stop))
                 for piece in found.pieces)


def _quote(ctx: Ctx, found: Hit) -> str:
    return "\n".join(ctx.texts[piece.span].quote(piece.start, piece.stop)
                     for piece in found.pieces)


def _readings(ctx: Ctx, rule: Rule, found: Hit) -> list[Reading]:
    if found.unread is not None:
        return []
    line = ctx.lines[found.pieces[0].span]
    return [Reading(fact.keyword, fact.value, _quote(ctx, found), line, _name(rule),
                    fact.inferred, fact.models, _raw(ctx, found)) for fact in found.facts]


def _name(rule: Rule) -> str:
    return str(getattr(rule, "__name__", "rule"))


def _unread(ctx: Ctx, found: Hit) -> Unread:
    return Unread(ctx.lines[found.pieces[0].span], _quote(ctx, found), found.unread or "",
                  _raw(ctx, found))


def _leftovers(ctx: Ctx, accepted: list[tuple[Rule, Hit]]) -> list[Unread]:
    consumed: dict[int, list[tuple[int, int]]] = {}
    for _, found in accepted:
        for piece in found.pieces:
            consumed.setdefault(piece.span, []).append((piece.start, piece.stop))
    left = []
    for at, text in enumerate(ctx.texts):
        for start, stop, why in unread_passages(text, consumed.get(at, [])):
            left.append(Unread(ctx.lines[at], text.quote(start, stop), why,
                               ((at, *text.raw_extent(start, stop)),)))
    return left
