"""An entry being read: every line after its head goes somewhere in its record.

A line is one of the layout's marks (``Required range: …``, ``Available options: …`` and the
options listed under it), an example (``Example:`` and the value lines after it, until a
blank line), a widget label (``Show child attributes``), or prose. Nothing is dropped.
"""

from __future__ import annotations

from .._records import ParameterRecord, Span
from ._text_blocks import LabelledSpan, is_example, is_mark, is_widget, label_of, visible

EXAMPLE = "Example"
WIDGET = "widget"


class Entry:
    """Collects the lines of one record, remembering the last line it took."""

    def __init__(self, record: ParameterRecord) -> None:
        self.record = record
        self.last = record.line
        self._mode: str | None = None  # "example" | "options"

    def take(self, number: int, raw: str) -> None:
        text = visible(raw)
        if not text:
            if self._mode == "example":
                self._mode = None
            return
        self.last = number
        if is_mark(text):
            self.record.marks.append(Span(number, text))
            opens_list = label_of(text) == "available options" and \
                not text.split(":", 1)[1].strip("* ")
            self._mode = "options" if opens_list else None
        elif is_example(text):
            self.record.description.append(LabelledSpan(number, text, EXAMPLE))
            self._mode = "example"
        elif is_widget(text):
            self.record.description.append(LabelledSpan(number, text, WIDGET))
        elif self._mode == "example":
            self.record.description.append(LabelledSpan(number, text, EXAMPLE))
        elif self._mode == "options" and _listed(text):
            self.record.marks.append(Span(number, text))
        else:
            self.record.description.append(Span(number, text))
            self._mode = None

    def extent(self) -> tuple[int, int]:
        return self.record.line, self.last


def _listed(text: str) -> bool:
    """An option under ``Available options:``: a bullet, or one bare word."""
    return text.startswith(("* ", "- ", "+ ")) or " " not in text.strip()
