"""
Generate elbtrail's per-action models from botocore's ELB service definitions.

Writes ``src/elbtrail/classic.py`` (Classic Load Balancers, API 2012-06-01) and
``src/elbtrail/v2.py`` (Application, Network and Gateway Load Balancers, API
2015-12-01). The output depends only on botocore's data files, so running the
script twice with the same botocore gives the same bytes.

Usage::

    python scripts/generate_models.py           # write the modules
    python scripts/generate_models.py --check   # exit 1 if they are stale
"""

from __future__ import annotations

import argparse
import html
import keyword
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import botocore
import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "elbtrail"

#: (botocore service name, module name, title of the API)
SERVICES = (
    ("elb", "classic", "Classic Load Balancer API"),
    ("elbv2", "v2", "Elastic Load Balancing v2 API (Application, Network, Gateway)"),
)

_SCALARS = {
    "string": "str",
    "integer": "int",
    "long": "int",
    "boolean": "bool",
    "double": "float",
    "float": "float",
    "timestamp": "datetime",
    "blob": "str",
}
_RESERVED_FIELDS = {"extra", "verbatim", "to_dict", "from_dict", "wire_value"}


def first_sentence(documentation: str) -> str:
    """Return the first sentence of botocore's HTML documentation, as plain text."""
    text = re.sub(r"<[^>]+>", " ", documentation or "")
    text = html.unescape(" ".join(text.split()))
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence.replace("\\", "\\\\").replace('"""', "'''").strip()


def wrap_docstring(text: str, indent: str) -> list[str]:
    """Lay out a docstring in PEP 257 form, with the quotes on their own lines."""
    body = textwrap.wrap(text, width=84 - len(indent)) or [""]
    return [f'{indent}"""', *(f"{indent}{line}" for line in body), f'{indent}"""']


def enum_member_name(value: str) -> str:
    """Turn an API enum value (``internet-facing``) into a member name."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper() or "EMPTY"
    if name[0].isdigit():
        name = f"V_{name}"
    if keyword.iskeyword(name.lower()) and name.lower() == name:
        name = f"{name}_"
    return name


def default_key(name: str) -> str:
    """The wire key elbtrail derives from a field name (mirror of _model)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class ModuleWriter:
    """Collects the classes of one API and writes them as one module."""

    def __init__(self, service: str, module: str, title: str) -> None:
        """Load the service definition of *service*."""
        session = botocore.session.get_session()
        self.model = session.get_service_model(service)
        self.service = service
        self.module = module
        self.title = title
        self.enums: dict[str, Any] = {}
        self.structures: dict[str, Any] = {}
        self.class_names: dict[str, str] = {}
        self.operations = sorted(self.model.operation_names)

    def type_of(self, shape: Any) -> str:
        """The annotation (without ``| None``) for a member of *shape*'s type."""
        kind = shape.type_name
        if kind == "string" and shape.enum:
            self.enums[shape.name] = shape
            return f"{shape.name} | str"
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "list":
            return f"tuple[{self.type_of(shape.member)}, ...]"
        if kind == "map":
            return f"Mapping[str, {self.type_of(shape.value)}]"
        if kind == "structure":
            self.collect(shape)
            return self.class_names.get(shape.name, shape.name)
        msg = f"unsupported botocore type {kind!r} in {shape.name}"
        raise TypeError(msg)

    def collect(self, shape: Any, class_name: str | None = None) -> None:
        """Register a structure shape and, through it, every shape it uses."""
        name = class_name or shape.name
        if name in self.structures:
            return
        self.structures[name] = shape
        self.class_names.setdefault(shape.name, name)
        for member in shape.members.values():
            self.type_of(member)

    def fields(self, shape: Any | None) -> list[str]:
        """The field lines of a class for *shape* (an empty class for None)."""
        lines: list[str] = []
        if shape is None:
            return lines
        for member_name, member in shape.members.items():
            attribute = xform_name(member_name)
            if attribute in _RESERVED_FIELDS or keyword.iskeyword(attribute):
                msg = f"{shape.name}.{member_name} clashes with a Model attribute"
                raise ValueError(msg)
            wire = member_name[:1].lower() + member_name[1:]
            annotation = f"{self.type_of(member)} | None"
            default = "None" if wire == default_key(attribute) else f'key("{wire}")'
            lines.append(f"    {attribute}: {annotation} = {default}")
        return lines

    def render(self) -> str:
        """Return the module's source text."""
        requests: list[tuple[str, str, Any, Any, str]] = []
        for op_name in self.operations:
            operation = self.model.operation_model(op_name)
            requests.append(
                (
                    op_name,
                    first_sentence(operation.documentation),
                    operation.input_shape,
                    operation.output_shape,
                    "",
                )
            )
        action_classes = {f"{op}Request" for op, *_ in requests} | {
            f"{op}Response" for op, *_ in requests
        }
        # Gather nested shapes first (from both directions of every action).
        for _op, _doc, input_shape, output_shape, _ in requests:
            for shape in (input_shape, output_shape):
                if shape is not None:
                    for member in shape.members.values():
                        self.type_of(member)
        clash = action_classes & (set(self.structures) | set(self.enums))
        if clash:
            msg = f"shape names clash with action classes: {sorted(clash)}"
            raise ValueError(msg)

        out: list[str] = []
        version = self.model.api_version
        out += [
            '"""',
            "Typed ``requestParameters`` and ``responseElements`` of the",
            f"{self.title}.",
            "",
            f"API version {version}: {len(self.operations)} actions. Each action",
            "``X`` has a ``XRequest`` and a ``XResponse`` class; `ACTIONS` maps",
            "action names to them. Attribute names are botocore's snake_case of the",
            "API member names; wire keys are the member names with the first letter",
            "lowered, as CloudTrail prints them.",
            "",
            "This module is generated by ``scripts/generate_models.py`` from the",
            f"``{self.service}`` service definition of botocore",
            f"{botocore.__version__}.",
            "Do not edit it by hand: change the generator and run it again.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "from collections.abc import Mapping",
            "from datetime import datetime",
            "",
            "import attrs",
            "",
            "from ._model import Model, StrEnum, key",
            "",
        ]
        names = sorted(self.enums) + sorted(self.structures) + sorted(action_classes)
        out += ["__all__ = ["]
        out += [f'    "{n}",' for n in sorted([*names, "ACTIONS", "API_VERSION"])]
        out += ["]", "", f'API_VERSION = "{version}"', "", ""]

        for name in sorted(self.enums):
            shape = self.enums[name]
            out.append(f"class {name}(StrEnum):")
            doc = (
                f"Known values of ``{name}``. Values AWS adds later stay plain strings."
            )
            out += wrap_docstring(doc, "    ")
            out.append("")
            seen: set[str] = set()
            for value in shape.enum:
                member = enum_member_name(value)
                while member in seen:
                    member += "_"
                seen.add(member)
                out.append(f'    {member} = "{value}"')
            out += ["", ""]

        for name in sorted(self.structures):
            shape = self.structures[name]
            doc = first_sentence(shape.documentation) or f"The ``{name}`` shape."
            out.append("@attrs.frozen(kw_only=True, repr=False, slots=False)")
            out.append(f"class {name}(Model):")
            out += wrap_docstring(doc, "    ")
            body = self.fields(shape)
            out += ["", *body] if body else []
            out += ["", ""]

        for op_name, op_doc, input_shape, output_shape, _ in requests:
            for suffix, shape, part in (
                ("Request", input_shape, "``requestParameters``"),
                ("Response", output_shape, "``responseElements``"),
            ):
                out.append("@attrs.frozen(kw_only=True, repr=False, slots=False)")
                out.append(f"class {op_name}{suffix}(Model):")
                doc = f"{part} of ``{op_name}``."
                if suffix == "Request" and op_doc:
                    doc = f"{doc} {op_doc}"
                out += wrap_docstring(doc, "    ")
                body = self.fields(shape)
                out += ["", *body] if body else []
                out += ["", ""]

        out.append("#: Action name -> (request class, response class).")
        out.append("ACTIONS: Mapping[str, tuple[type[Model], type[Model]]] = {")
        out += [f'    "{op}": ({op}Request, {op}Response),' for op, *_ in requests]
        out.append("}")
        text = "\n".join(out) + "\n"
        # Leave out the imports this API's shapes do not use.
        body = text.split("__all__ = [", 1)[1]
        for line, used, instead in (
            ("from datetime import datetime\n", "datetime |" in body, ""),
            (
                "from ._model import Model, StrEnum, key\n",
                "(StrEnum)" in body,
                "from ._model import Model, key\n",
            ),
        ):
            if not used:
                text = text.replace(line, instead, 1)
        return text


def ruff_format(text: str, path: Path) -> str:
    """Lay out *text* as the project's formatter does, so the check stays clean."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", str(path), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout


def render_actions_page(writers: list[ModuleWriter]) -> str:
    """The documentation page that lists every action and its classes."""
    lines = [
        "# Supported actions",
        "",
        "<!-- Generated by scripts/generate_models.py; do not edit. -->",
        "",
        "Every action of both ELB APIs has typed `requestParameters` and",
        "`responseElements`. A record is matched to its action by `apiVersion`",
        "and `eventName`; where `apiVersion` is missing, by the action's name and",
        "the shape of its parameters (with a notice). Actions that have no",
        "response elements have a response class with no fields, which still",
        "keeps any keys a record has.",
        "",
        f"Generated from botocore {botocore.__version__}.",
        "",
    ]
    for writer in writers:
        module = f"elbtrail.{writer.module}"
        lines += [
            f"## {writer.title}",
            "",
            (
                f"API version `{writer.model.api_version}`, module `{module}`, "
                f"{len(writer.operations)} actions."
            ),
            "",
            "| action | request | response |",
            "|---|---|---|",
        ]
        for op in writer.operations:
            lines.append(
                f"| `{op}` | `{module}.{op}Request` | `{module}.{op}Response` |"
            )
        lines.append("")
    return "\n".join(lines)


def render_all() -> dict[Path, str]:
    """Return every generated file's path and text."""
    out = {}
    writers = []
    for service, module, title in SERVICES:
        path = PACKAGE / f"{module}.py"
        writer = ModuleWriter(service, module, title)
        writers.append(writer)
        out[path] = ruff_format(writer.render(), path)
    out[ROOT / "docs" / "actions.md"] = render_actions_page(writers)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the generated modules, or with ``--check`` report stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report staleness")
    args = parser.parse_args(argv)
    stale = []
    for path, text in render_all().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(f"stale generated modules: {names}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
