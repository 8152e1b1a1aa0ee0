"""Read an essay's YAML front matter ourselves, keeping line numbers.

myst-parser hands front matter to docutils as bibliographic fields, which
mangles lists and mappings; staff also need errors that point at a line.
So the block is cut out of the source here (replaced by blank lines, so
that every later line number stays true) and composed with PyYAML's node
API, which records where each value starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_FENCE = re.compile(r"^---[ \t]*$")
#: Front matter needs three levels (authors, an author, a role); PyYAML's
#: composer recurses, so a few thousand brackets would crash it.
MAX_DEPTH = 20


class FrontMatterError(ValueError):
    """A front-matter block that cannot be parsed; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class FrontMatter:
    """Plain YAML values plus the 1-based source line of every value."""

    data: dict[str, Any]
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    start: int = 1

    def line(self, *path: Any) -> int:
        """The line of ``path`` or, failing that, of its nearest parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.start


def split(source: str) -> tuple[str | None, str]:
    """Return ``(yaml_text, body)``; the body keeps the block's lines blank."""
    lines = source.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return None, source
    for end in range(1, len(lines)):
        if _FENCE.match(lines[end]):
            yaml_text = "\n".join(lines[1:end])
            body = "\n" * (end + 1) + "\n".join(lines[end + 1 :])
            return yaml_text, body
    raise FrontMatterError(
        "the front matter starting with '---' on line 1 is never closed; "
        "add a line with only '---' after the last key",
        1,
    )


def parse(yaml_text: str) -> FrontMatter:
    """Parse the block (which starts on source line 2) into a FrontMatter."""
    offset = 2
    try:
        _check_depth(yaml_text, offset)
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
        matter = FrontMatter({}, start=offset)
        if node is None:
            return matter
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(
                "the front matter must be 'key: value' lines (a YAML mapping)",
                offset + node.start_mark.line,
            )
        matter.data = _value(node, (), matter.lines, offset, {id(node)})
        return matter
    except yaml.MarkedYAMLError as err:  # syntax, or a tag no value may have
        mark = err.problem_mark or err.context_mark
        line = offset + (mark.line if mark else 0)
        problem = err.problem or str(err)
        raise FrontMatterError(
            f"the front matter is not valid YAML ({problem}); check the "
            "indentation and quote values that contain ':' or '#'",
            line,
        ) from None
    except yaml.reader.ReaderError as err:
        raise FrontMatterError(
            f"the front matter contains an invisible control character "
            f"(#x{err.character:04x}) that is not allowed; delete it",
            offset + yaml_text.count("\n", 0, err.position),
        ) from None


def read_data(path: Path) -> dict[str, Any]:
    """A page's front matter as plain values, or ``{}`` if it cannot be read.

    For what is needed before Sphinx reads any page (the PDFs' titles and
    names); reading the page reports what is wrong with it, with the line.
    """
    try:
        yaml_text, _ = split(path.read_text(encoding="utf-8"))
        return parse(yaml_text).data if yaml_text is not None else {}
    except (FrontMatterError, OSError, UnicodeDecodeError):
        return {}


def _check_depth(yaml_text: str, offset: int) -> None:
    """Refuse nesting deeper than MAX_DEPTH, from the event stream (no recursion)."""
    depth = 0
    for event in yaml.parse(yaml_text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise FrontMatterError(
                    f"the front matter is nested more than {MAX_DEPTH} levels deep; "
                    "write each value out at most a few levels in",
                    offset + (event.start_mark.line if event.start_mark else 0))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _value(node: yaml.Node, path: tuple[Any, ...], lines: dict, offset: int,
           seen: set[int]) -> Any:
    lines[path] = offset + node.start_mark.line
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in result:
                raise FrontMatterError(
                    f"the key {key!r} is given twice; keep one",
                    offset + key_node.start_mark.line,
                )
            _once(value_node, seen, offset + key_node.start_mark.line)
            result[str(key)] = _value(value_node, (*path, str(key)), lines, offset, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            _once(item, seen, offset + node.start_mark.line)
            items.append(_value(item, (*path, index), lines, offset, seen))
        return items
    return _scalar(node)


def _once(node: yaml.Node, seen: set[int], line: int) -> None:
    """Refuse YAML aliases: a value used twice (or inside itself) via ``*name``.

    A recursive alias would never end, and nested ones grow exponentially;
    staff have no need for them.
    """
    if id(node) in seen:
        raise FrontMatterError(
            "'&name' and '*name' (YAML anchors and aliases) cannot be used in front "
            "matter; write the value out in full", line)
    seen.add(id(node))


def _scalar(node: yaml.Node) -> Any:
    """Resolve a scalar as PyYAML would, but keep dates as written.

    Dates stay strings so that the schema, not YAML, decides what a valid
    date is and can say so with the line.
    """
    if not isinstance(node, yaml.ScalarNode):
        raise FrontMatterError(
            "a key must be a plain word, not a list or mapping",
            node.start_mark.line + 2,
        )
    if node.tag == "tag:yaml.org,2002:timestamp":
        return node.value
    return _CONSTRUCTOR.construct_object(node, deep=True)


_CONSTRUCTOR = yaml.SafeLoader("")
