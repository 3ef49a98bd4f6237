"""Code generation: ingest (documents in sources/ -> schemas/) and generate (schemas/ ->
generated/), deterministic and written as whole trees.

May import: ``wirespec.validators`` (schema walking, the registry's kinds, the engine).
"""
