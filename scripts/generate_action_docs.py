"""
Generate one documentation page per ELB API, listing every action's fields.

Writes ``docs/actions/classic.md`` and ``docs/actions/v2.md``: for each action,
its request and response classes with each field's Python name, type, wire key
and the first sentence of botocore's documentation of the member, then every
structure and enumeration those classes use.

The fields are read from the classes themselves (``attrs.fields`` and their
metadata), so the pages say what the installed elbtrail does; botocore supplies
only the documentation lines. Running the script twice with the same elbtrail
and botocore gives the same bytes.

Usage::

    python scripts/generate_action_docs.py           # write the pages
    python scripts/generate_action_docs.py --check   # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import enum
import html
import re
import sys
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import botocore
import botocore.session

import elbtrail

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "actions"

#: (API, botocore service, page file, page title)
PAGES = (
    (elbtrail.Api.CLASSIC, "elb", "classic.md", "Classic Load Balancer API"),
    (
        elbtrail.Api.V2,
        "elbv2",
        "v2.md",
        "Elastic Load Balancing v2 API (Application, Network, Gateway)",
    ),
)

#: Field metadata naming a wire key that is not the field name in lower camel case.
WIRE_KEY = "elbtrail.key"
#: Fields every model has that are not on the wire.
NOT_ON_THE_WIRE = frozenset({"extra", "verbatim"})


def wire_key(field: attrs.Attribute[Any]) -> str:
    """The JSON key CloudTrail writes for *field*."""
    named = field.metadata.get(WIRE_KEY)
    if named:
        return str(named)
    head, *rest = field.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def first_sentence(documentation: str) -> str:
    """The first sentence of botocore's HTML documentation, as Markdown-safe text."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", documentation or ""))
    text = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z])", text)
    sentence = text[: match.start()] if match else text
    # Table cells: a pipe would end the cell; angle brackets would be HTML;
    # emphasis characters would start emphasis.
    for char, escaped in (
        ("\\", "\\\\"),
        ("|", "\\|"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("*", "\\*"),
        ("_", "\\_"),
    ):
        sentence = sentence.replace(char, escaped)
    return sentence


def model_fields(cls: type[Any]) -> list[attrs.Attribute[Any]]:
    """The fields of a model class that are on the wire, in declaration order."""
    return [f for f in attrs.fields(cls) if f.name not in NOT_ON_THE_WIRE]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp) and issubclass(tp, elbtrail.Model)


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def type_text(tp: Any) -> str:
    """An annotation as written, without ``None``: ``tuple[Listener, ...]``."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_text(a) for a in args if a is not type(None))
    if origin is tuple:
        return f"tuple[{type_text(args[0])}, ...]"
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(type_text(a) for a in args)}]"
    if tp is Any:
        return "Any"
    if isinstance(tp, type):
        return tp.__name__
    return str(tp)


def referenced(tp: Any) -> list[type[Any]]:
    """The model and enumeration classes an annotation mentions."""
    if _is_model(tp) or _is_enum(tp):
        return [tp]
    return [c for arg in typing.get_args(tp) for c in referenced(arg)]


def _type_cell(tp: Any) -> str:
    cell = " or ".join(f"`{text}`" for text in type_text(tp).split(" or "))
    links = [f"[{c.__name__}](#{c.__name__.lower()})" for c in referenced(tp)]
    if links:
        cell += f" (see {', '.join(links)})"
    return cell


class Page:
    """One API's page: its actions, then the structures and enumerations they use."""

    def __init__(self, api: elbtrail.Api, service: str, title: str, model: Any) -> None:
        """Collect the actions of *api* and botocore's service *model*."""
        self.api = api
        self.service = service
        self.title = title
        self.model = model
        self.actions = elbtrail.actions(api)
        # Shared classes, each with the botocore shape that documents its members.
        self.structures: dict[type[Any], Any] = {}
        self.enums: dict[type[Any], None] = {}

    def _members(self, shape: Any) -> Mapping[str, Any]:
        """The members of a structure shape, by the key CloudTrail writes."""
        if shape is None or shape.type_name != "structure":
            return {}
        return {
            name[:1].lower() + name[1:]: member
            for name, member in shape.members.items()
        }

    def _collect(self, tp: Any, shape: Any) -> None:
        """Note the classes *tp* mentions, with the shape of each."""
        for cls in referenced(tp):
            if _is_enum(cls):
                self.enums.setdefault(cls, None)
                continue
            inner = shape
            while inner is not None and inner.type_name in ("list", "map"):
                inner = inner.member if inner.type_name == "list" else inner.value
            if cls not in self.structures:
                self.structures[cls] = inner
                self._walk(cls, inner)

    def _walk(self, cls: type[Any], shape: Any) -> None:
        hints = typing.get_type_hints(cls)
        members = self._members(shape)
        for field in model_fields(cls):
            self._collect(hints[field.name], members.get(wire_key(field)))

    def table(self, cls: type[Any], shape: Any) -> list[str]:
        """The rows of *cls*'s fields."""
        fields = model_fields(cls)
        if not fields:
            return ["No fields: the call has no response elements of its own."]
        hints = typing.get_type_hints(cls)
        members = self._members(shape)
        lines = [
            "| Python name | type | wire key | description |",
            "|---|---|---|---|",
        ]
        for field in fields:
            key = wire_key(field)
            member = members.get(key)
            doc = first_sentence(member.documentation) if member is not None else ""
            lines.append(
                f"| `{field.name}` | {_type_cell(hints[field.name])} | `{key}` "
                f"| {doc} |"
            )
        return lines

    def render(self) -> str:
        """The page's Markdown."""
        module = f"elbtrail.{'classic' if self.api is elbtrail.Api.CLASSIC else 'v2'}"
        version = botocore.__version__
        out = [
            f"# {self.title}",
            "",
            "<!-- Generated by scripts/generate_action_docs.py; do not edit. -->",
            "",
            f"Every action of API version `{self.api.value}`, module `{module}`:",
            "its request parameters and response elements, field by field. Every",
            "field is optional, `None` when a record does not have it. *Wire key*",
            "is the key in the record's JSON; the descriptions are the first",
            f"sentence of the AWS API reference, from botocore {version}.",
            "Structures and enumerations shared by several actions are listed",
            "after the actions.",
            "",
        ]
        for name in sorted(self.actions):
            action = self.actions[name]
            operation = self.model.operation_model(name)
            out += [f"## {name}", ""]
            summary = first_sentence(operation.documentation)
            if summary:
                out += [summary, ""]
            for label, cls, shape in (
                ("Request parameters", action.request, operation.input_shape),
                ("Response elements", action.response, operation.output_shape),
            ):
                out += [f"**{label}**: `{module}.{cls.__name__}`", ""]
                out += [*self.table(cls, shape), ""]
                self._walk(cls, shape)
        out += ["## Structures", ""]
        for cls in sorted(self.structures, key=lambda c: c.__name__):
            out += [f"### {cls.__name__}", ""]
            doc = first_sentence(getattr(self.structures[cls], "documentation", ""))
            if doc:
                out += [doc, ""]
            out += [*self.table(cls, self.structures[cls]), ""]
        if self.enums:
            out += ["## Enumerations", ""]
            out += [
                "A field typed with an enumeration also accepts any other",
                "string, kept as it is: AWS adds values over time.",
                "",
            ]
            for cls in sorted(self.enums, key=lambda c: c.__name__):
                values = ", ".join(f"`{m.value}`" for m in cls)
                out += [f"### {cls.__name__}", "", values, ""]
        return "\n".join(out).rstrip("\n") + "\n"


def render_all() -> dict[Path, str]:
    """Every page's path and text."""
    session = botocore.session.get_session()
    return {
        DOCS / file: Page(
            api, service, title, session.get_service_model(service)
        ).render()
        for api, service, file, title in PAGES
    }


def main(argv: list[str] | None = None) -> int:
    """Write the pages, or with ``--check`` report the stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report staleness")
    args = parser.parse_args(argv)
    stale = []
    for path, text in render_all().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(
            f"stale action pages: {names}; run {Path(__file__).name}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
