"""The pre-flight core: ``validate()`` (engine verdict and error walk), the error report,
strict payload parsing, the schema registry, token budgets and SSE stream validation.

May import: nothing of wirespec's other rooms (only ``wirespec._exceptions``). Every other
room builds on this one.
"""
