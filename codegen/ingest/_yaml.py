"""YAML from documents, read safely and in bounded time and memory.

PyYAML's safe loader runs no code, but an alias is a reference: nine lines of nested aliases
("billion laughs") expand to 10^9 nodes. The document is composed first (aliases stay
references, so composing is linear), its expanded size is counted over the node graph, and
only a document within bounds is constructed.
"""

from __future__ import annotations

from typing import Any

import yaml

from wirespec._exceptions import DocumentError

MAX_EXPANDED_NODES = 1_000_000


def _expanded_size(root: yaml.Node, path: str, first_line: int) -> int:
    """Nodes the document has once every alias is expanded; a DocumentError past the bound
    or for an alias that contains itself."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED_NODES:
                raise DocumentError(path, first_line + node.start_mark.line, "YAML aliases "
                                    f"expand past {MAX_EXPANDED_NODES:,} nodes")
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise DocumentError(path, first_line + node.start_mark.line,
                                "a YAML alias that contains itself")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def load_yaml(text: str, *, path: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """The data of one YAML document and its node graph (for line numbers), or one clear
    DocumentError naming the line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _expanded_size(node, path, first_line)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + mark.line if mark else first_line
        raise DocumentError(path, line, f"invalid YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise DocumentError(path, first_line, f"invalid YAML: {err}") from None
    except RecursionError:
        raise DocumentError(path, first_line, "YAML nested too deeply to read") from None
    finally:
        loader.dispose()
