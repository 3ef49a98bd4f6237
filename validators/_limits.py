"""Token limits a document may state (schema files' ``x-limits``), and what each one bounds.

- ``input``: the tokens of the prompt the model sees (the conversation in its template).
- ``output``: ``max_tokens``, the tokens the request allows the model to write.
- ``total``: both together, the prompt and ``max_tokens``.

Each meaning, and where the name comes from, is in docs/decisions.md ("Token limits").
"""

from __future__ import annotations

from typing import Final

INPUT, OUTPUT, TOTAL = "input", "output", "total"

LIMIT_MEANINGS: Final[dict[str, str]] = {
    "context_window": TOTAL,  # the model's context: prompt and answer together
    "max_total_tokens": TOTAL,  # text-generation-inference: input + max_new_tokens
    "max_input_tokens": INPUT,
    "max_input_length": INPUT,  # text-generation-inference's older name for max_input_tokens
    # text-generation-inference: the tokens one prefill batch holds; a request's whole prompt
    # is prefilled in one batch, so it bounds the input too
    "max_batch_prefill_tokens": INPUT,
    "max_output_tokens": OUTPUT,
    # Cloudflare's 2023 catalog properties ("Context tokens limit", "Sequence tokens limit" on
    # its task pages): the sequence is what max_tokens asks for ("Default max (sequence)
    # tokens (stream)" equals it), so it bounds the output
    "context_length_limit": TOTAL,
    "sequence_length_limit": OUTPUT,
}
