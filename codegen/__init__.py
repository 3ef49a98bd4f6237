"""Code generation: ingest (sources/ -> schemas/) and generation (schemas/ -> generated/)."""
