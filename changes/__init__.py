"""When the documents change: the diff decided by what each side accepts (_sets: proofs,
_witness: examples, _diff: the walk, _sides: what a name stands for, _report: formats),
adding a document (_adding) and fetching the published ones (_fetch, _updating).

May import: ``wirespec.validators``, ``wirespec.codegen`` (documents are read by ingest)
and ``wirespec.fuzzing`` (values drawn to find an example).
"""
