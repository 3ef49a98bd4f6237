"""Property fuzzing: hypothesis strategies of values at every limit, one-constraint
mutations, and the runner that compares jsonschema, the validator and the generated model.
``wirespec.strategies`` is its public face.

May import: ``wirespec.validators`` and ``wirespec.generated``.
"""
