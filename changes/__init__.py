"""When the documents change: revisions and the semantic diff of two sides.

May import: ``wirespec.validators``, ``wirespec.codegen`` (documents are read by ingest)
and ``wirespec.fuzzing`` (values drawn to check a claim).
"""
