"""Layout readers: one module per structural family of document, each turning a document's
text into a :class:`~wirespec.codegen.ingest._records.ReadDocument` (parameter records with
their words and lines, model mentions, token-limit rows, samples, published schemas).

A reader finds its parts by structure (headings, table headers, list shapes, anchors), never
by one revision's sentence, and reads no meaning into the words: the constraint grammar
(codegen/ingest/grammar) does.
"""
