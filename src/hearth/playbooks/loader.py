"""Reading playbook files: YAML with line and column numbers in every error.

The file is composed into YAML nodes (``yaml.compose`` with the safe loader), which keep the
position of every key and value, then constructed into plain data and validated by the domain
schema. Each validation error's location (``("tiers", 1, "requires", 0, "at_least")``) is
walked back through the node tree to the node it names, so a problem is reported as::

    phoenix.yaml:212:21: tiers[1].requires[0].at_least: expected a whole number, got 'five'
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hearth.domain.playbook.schema import Playbook, PlaybookInvalid, parse_playbook
from hearth.errors import InputError
from hearth.i18n import _, ngettext

PLAYBOOK_DIR = Path(__file__).resolve().parent

# Tags of the unions whose branch is chosen by the value's shape rather than by a `type` key.
_SHAPE_TAGS = frozenset({"fixed", "property", "value", "operators"})
Loc = tuple[str | int, ...]


class PlaybookError(InputError):
    """A playbook that cannot be used: each problem names file, line, column and field."""

    code = "input.playbook"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def shipped_playbooks() -> list[str]:
    """The names of the playbooks shipped with Hearth (``phoenix``, ``atlas``...)."""
    return sorted(path.stem for path in PLAYBOOK_DIR.glob("*.yaml"))


def playbook_path(name_or_path: str | Path) -> Path:
    """The file of a shipped playbook's name, or ``name_or_path`` itself as a path."""
    text = str(name_or_path)
    if text in shipped_playbooks():
        return PLAYBOOK_DIR / f"{text}.yaml"
    return Path(name_or_path)


def load_playbook(name_or_path: str | Path) -> Playbook:
    """Load and validate a shipped playbook by name, or a playbook file by path."""
    path = playbook_path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookError(
            [
                _("{path}: no such file, and not a shipped playbook ({names})").format(
                    path=path, names=", ".join(shipped_playbooks())
                )
            ]
        ) from None
    except UnicodeDecodeError as exc:
        raise PlaybookError(
            [_("{path}: not UTF-8 text ({error})").format(path=path, error=exc.reason)]
        ) from None
    except OSError as exc:
        raise PlaybookError([f"{path}: {exc.strerror or exc}"]) from None
    return parse_playbook_text(text, str(path))


def parse_playbook_text(text: str, source: str = "<playbook>") -> Playbook:
    """Validate playbook YAML ``text``; errors are reported as ``source:line:column``."""
    root, data = _compose(text, source)
    problems: list[tuple[int, int, str]] = list(_duplicate_keys(root, source))
    playbook: Playbook | None = None
    try:
        playbook = parse_playbook(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            if error["type"] == "invalid_key":
                node, path = _non_text_key(root, loc[:-1], error.get("input"))
                problems.append(_problem(source, node, path, _describe(error, loc)))
                continue
            node, path, at_key = _locate(root, loc)
            if error["type"] == "extra_forbidden" and at_key is not None:
                node = at_key
            elif error["type"] == "union_tag_invalid" and isinstance(node, MappingNode):
                found = _mapping_get(node, "type")
                if found is not None:
                    node, path = found[1], f"{path}.type"
            problems.append(_problem(source, node, path, _describe(error, loc)))
    except PlaybookInvalid as exc:
        for item in exc.problems:
            node, path, _key = _locate(root, item.loc)
            problems.append(_problem(source, node, path, item.message))
    if problems or playbook is None:
        seen: set[str] = set()
        lines = []
        for _line, _column, message in sorted(problems):
            if message not in seen:
                seen.add(message)
                lines.append(message)
        raise PlaybookError(lines)
    return playbook


# -- YAML -------------------------------------------------------------------------------------


def _compose(text: str, source: str) -> tuple[Node | None, Any]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or str(exc)
        if exc.context and exc.problem:
            where = ""
            if exc.context_mark is not None and exc.context_mark != mark:
                where = " " + _("that starts at line {line}, column {column}").format(
                    line=exc.context_mark.line + 1, column=exc.context_mark.column + 1
                )
            problem = f"{problem} ({exc.context}{where})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise PlaybookError(
            [
                _("{source}:{line}:{column}: YAML syntax error: {problem}").format(
                    source=source, line=line, column=column, problem=problem
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise PlaybookError([f"{source}:1:1: {exc}"]) from None
    finally:
        loader.dispose()
    if root is None:
        raise PlaybookError(
            [
                _(
                    "{source}:1:1: the file is empty; expected a playbook (name, title, version...)"
                ).format(source=source)
            ]
        )
    return root, data


def _duplicate_keys(
    node: Node | None, source: str, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[int, int, str]]:
    if isinstance(node, MappingNode):
        first: dict[str, Node] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            if key.value in first:
                yield _problem(
                    source,
                    key,
                    _format_path([*path, key.value]),
                    _("duplicate key '{key}' (first given at line {line})").format(
                        key=key.value, line=first[key.value].start_mark.line + 1
                    ),
                )
            else:
                first[key.value] = key
            yield from _duplicate_keys(value, source, (*path, key.value))
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, source, (*path, index))


def _key_matches(key: ScalarNode, segment: Any) -> bool:
    if isinstance(segment, str):
        return bool(key.value == segment) and key.tag == "tag:yaml.org,2002:str"
    # A key YAML read as something else: `1`, `on` (true)... compare the values it stands for.
    # Pydantic reports a boolean key as the number it equals (true → 1).
    value = yaml.constructor.SafeConstructor().construct_object(key)
    return bool(isinstance(value, int) and value == segment)


def _mapping_get(node: MappingNode, segment: str | int) -> tuple[Node, Node] | None:
    for key, value in node.value:
        if isinstance(key, ScalarNode) and _key_matches(key, segment):
            return key, value
    return None


def _mapping_type(node: MappingNode) -> str | None:
    found = _mapping_get(node, "type")
    if found and isinstance(found[1], ScalarNode):
        return str(found[1].value)
    return None


def _locate(root: Node | None, loc: Loc) -> tuple[Node | None, str, Node | None]:
    """The node ``loc`` names (or its nearest parent), the path to show, and its key node."""
    node = root
    shown: list[str | int] = []
    key_node: Node | None = None
    for index, segment in enumerate(loc):
        if segment == "[key]" and key_node is not None:  # the key itself is wrong
            node = key_node
            shown.append(" (key)")
            break
        if isinstance(node, MappingNode):
            found = _mapping_get(node, segment)
            if found is not None:
                key_node, node = found
                as_read = key_node.tag.rsplit(":", 1)[-1] in ("str", "int")
                shown.append(segment if as_read else key_node.value)  # `yes`, not 1
                continue
            if segment == _mapping_type(node) or segment in _SHAPE_TAGS:
                continue  # a union's branch name, not a key of the file
            shown.extend(s for s in loc[index:] if s not in _SHAPE_TAGS)
            key_node = None
            break
        if isinstance(node, SequenceNode) and isinstance(segment, int):
            if 0 <= segment < len(node.value):
                node = node.value[segment]
                key_node = None
                shown.append(segment)
                continue
            shown.extend(loc[index:])
            break
        # A scalar: what is left are branch names, or the index a single value was wrapped in.
        if isinstance(segment, str) and segment not in _SHAPE_TAGS:
            shown.append(segment)
    return node, _format_path(shown), key_node


def _non_text_key(root: Node | None, parent: Loc, value: Any) -> tuple[Node | None, str]:
    """The key node of the mapping at ``parent`` that YAML read as ``value`` (``on`` → true)."""
    node, path, _key = _locate(root, parent)
    if isinstance(node, MappingNode):
        for key, _value in node.value:
            if isinstance(key, ScalarNode) and key.tag != "tag:yaml.org,2002:str":
                constructed = yaml.constructor.SafeConstructor().construct_object(key)
                if type(constructed) is type(value) and constructed == value:
                    return key, f"{path}.{key.value}" if path else str(key.value)
    return node, path


def _format_path(segments: list[str | int]) -> str:
    text = ""
    for segment in segments:
        if segment == " (key)":
            text += " (key)"
        elif isinstance(segment, int):
            text += f"[{segment}]"
        else:
            text += f".{segment}" if text else str(segment)
    return text


def _problem(source: str, node: Node | None, path: str, message: str) -> tuple[int, int, str]:
    line, column = (
        (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (1, 1)
    )
    where = f"{path}: " if path else ""
    return line, column, f"{source}:{line}:{column}: {where}{message}"


# -- pydantic errors as sentences ---------------------------------------------------------------


def _got(value: Any) -> str:
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(error: Any, loc: Loc) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = _got(error.get("input"))
    if kind == "invalid_key":
        return _(
            "expected a text key; YAML reads on, off, yes, no, true, false and numbers as "
            "other values, so quote it"
        )
    if kind == "missing":
        return _("required field missing")
    if kind == "extra_forbidden":
        return _unknown_field(loc)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("expected a whole number, got {got}").format(got=got)
    if kind in ("float_type", "float_parsing"):
        return _("expected a number, got {got}").format(got=got)
    if kind in ("string_type", "string_sub_type"):
        return _("expected text, got {got} (quote it to make it text)").format(got=got)
    if kind in ("bool_type", "bool_parsing"):
        return _("expected true or false, got {got}").format(got=got)
    if kind in ("list_type", "tuple_type"):
        return _("expected a list, got {got}").format(got=got)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("expected a mapping of fields, got {got}").format(got=got)
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("expected a date such as 2026-01-01, got {got}").format(got=got)
    if kind == "literal_error":
        return _("expected {expected}, got {got}").format(expected=ctx.get("expected"), got=got)
    if kind == "union_tag_invalid":
        return _("expected one of {tags}, got '{tag}'").format(
            tags=ctx.get("expected_tags"), tag=ctx.get("tag")
        )
    if kind == "union_tag_not_found":
        tags = ", ".join(f"'{t}'" for t in _union_tags(loc))
        return _("missing 'type'; expected one of {tags}").format(tags=tags)
    if kind == "string_pattern_mismatch":
        return _(
            "expected a key (lowercase letters, digits and underscores, starting with a "
            "letter), got {got}"
        ).format(got=got)
    if kind == "string_too_short":
        return _("expected a non-empty text")
    if kind == "string_too_long":
        return _("expected at most {n} characters").format(n=ctx.get("max_length"))
    if kind == "too_short":
        least = int(ctx.get("min_length") or 0)
        return ngettext("expected at least {n} item", "expected at least {n} items", least).format(
            n=least
        )
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤"}.get(
            kind, "<"
        )
        limit = next(iter(ctx.values()), "")
        return _("expected a number {bound} {limit}, got {got}").format(
            bound=bound, limit=limit, got=got
        )
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    return str(error.get("msg", kind))


def _unknown_field(loc: Loc) -> str:
    name = str(loc[-1])
    model = _model_at(loc[:-1])
    if model is None:
        return _("unknown field '{name}'").format(name=name)
    allowed = [field.alias or field_name for field_name, field in model.model_fields.items()]
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return _(
            "unknown field '{name}' (did you mean '{close}'?); expected one of: {allowed}"
        ).format(name=name, close=close[0], allowed=", ".join(allowed))
    return _("unknown field '{name}'; expected one of: {allowed}").format(
        name=name, allowed=", ".join(allowed)
    )


# -- walking the schema along a location --------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``Optional``: the type a value at this place must have."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) == 1:
                annotation = options[0]
                continue
        return annotation


def _branches(annotation: Any) -> dict[str, Any]:
    """The branches of a tagged union, by tag (``count`` → ``CountAchievement``)."""
    branches: dict[str, Any] = {}
    for option in typing.get_args(annotation):
        if typing.get_origin(option) is typing.Annotated:
            for meta in typing.get_args(option)[1:]:
                tag = getattr(meta, "tag", None)
                if isinstance(tag, str):
                    branches[tag] = typing.get_args(option)[0]
        inner = _unwrap(option)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            field = inner.model_fields.get("type")
            if field is not None:
                for value in typing.get_args(field.annotation):
                    branches[str(value)] = inner
    return branches


def _annotation_at(loc: Loc) -> Any:
    current: Any = Playbook
    for segment in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or n: f for n, f in current.model_fields.items()}
            if segment not in fields:
                return None
            current = fields[str(segment)].annotation
            continue
        origin = typing.get_origin(current)
        if origin is list and isinstance(segment, int):
            current = typing.get_args(current)[0]
        elif origin is dict:
            current = typing.get_args(current)[1]
        elif origin in (typing.Union, types.UnionType):
            branch = _branches(current).get(str(segment))
            if branch is None:
                return None
            current = branch
        else:
            return None
    return current


def _model_at(loc: Loc) -> type[BaseModel] | None:
    found = _unwrap(_annotation_at(loc))
    if isinstance(found, type) and issubclass(found, BaseModel):
        return found
    return None


def _union_tags(loc: Loc) -> list[str]:
    found = _unwrap(_annotation_at(loc))
    return list(_branches(found)) if found is not None else []
