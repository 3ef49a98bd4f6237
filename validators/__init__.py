"""Runtime: validate payloads against the ingested schemas and report errors people can act on."""
