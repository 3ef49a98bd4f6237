"""The error-reporting walk: every violated constraint, and for oneOf/anyOf the intended
alternative's errors rather than every alternative's."""

from __future__ import annotations

from typing import Any

from ._errors import ValidationError
from ._keywords import KEYWORDS, At, Errors, branch_name, error


class Walker:
    def descend(self, schema: Any, instance: Any, at: At) -> Errors:
        if schema is True:
            return
        if schema is False:
            yield error(at, {}, "false", "no value is allowed here", False, instance)
            return
        for keyword, limit in schema.items():
            check = KEYWORDS.get(keyword)
            if check is not None:
                yield from check(self, limit, instance, schema, at)

    def is_valid(self, schema: Any, instance: Any) -> bool:
        return next(iter(self.descend(schema, instance, At("", ""))), None) is None

    def errors(self, schema: dict[str, Any], instance: Any) -> list[ValidationError]:
        return list(self.descend(schema, instance, At("", "")))

    def intended_branch_errors(self, branches: list[Any], instance: Any, at: At,
                               keyword: str, node: dict[str, Any]) -> Errors:
        """The errors of the alternative the payload was meant for.

        Meant for: the one whose required members are all present; among those (or if
        none), the one whose type fits, then the one with the fewest errors, then the first.
        """
        ranked = []
        for index, branch in enumerate(branches):
            found = list(self.descend(branch, instance, at.sub(f"{keyword}/{index}")))
            wanted = branch.get("required", []) if isinstance(branch, dict) else []
            has_required = isinstance(instance, dict) and bool(wanted) and all(
                name in instance for name in wanted)
            wrong_type = any(e.keyword == "type" and e.pointer == at.pointer for e in found)
            ranked.append(((not has_required, wrong_type, len(found), index), index, found))
        _, index, found = min(ranked, key=lambda entry: entry[0])
        name = branch_name(branches[index], index)
        if not found:  # cannot happen when no alternative matched; stay truthful anyway
            yield error(at, node, keyword, "matches none of the alternatives", None, instance)
            return
        for item in found:
            yield ValidationError(item.pointer, item.keyword, f"{item.message} (checked as "
                                  f"{name}, the alternative this payload is meant for)",
                                  item.limit, item.value, item.source, item.schema_path)
