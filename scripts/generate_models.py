"""
Generate elbtrail's per-action models from botocore's ELB service definitions.

Writes ``src/elbtrail/classic.py`` (Classic Load Balancers, API 2012-06-01) and
``src/elbtrail/v2.py`` (Application, Network and Gateway Load Balancers, API
2015-12-01), public modules that import each class on first use from its
private module under ``src/elbtrail/_classic/`` and ``src/elbtrail/_v2/``: one
module for each action, and one for each shape several actions share. The
output depends only on botocore's data files, so running the script twice
with the same botocore gives the same bytes.

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
import tempfile
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
# The package, beside the action modules, of the shapes several actions use.
SHARED = "shapes"
# Equality comes from Model, written once for every class (see its __eq__).
MODEL_DECORATOR = "@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)"
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
        # Filled by plan(): each action's shapes, and each class's module.
        self.requests: list[tuple[str, str, Any, Any]] = []
        self.homes: dict[str, str] = {}

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

    def operation_shapes(self) -> list[tuple[str, str, Any, Any]]:
        """Each action's name, first sentence, input and output shapes."""
        out = []
        for op_name in self.operations:
            operation = self.model.operation_model(op_name)
            out.append(
                (
                    op_name,
                    first_sentence(operation.documentation),
                    operation.input_shape,
                    operation.output_shape,
                )
            )
        return out

    def plan(self) -> None:
        """Gather the shapes, and decide the module each class is defined in."""
        self.requests = self.operation_shapes()
        action_classes = {f"{op}Request" for op, *_ in self.requests} | {
            f"{op}Response" for op, *_ in self.requests
        }
        users: dict[str, set[str]] = {}
        for op_name, _doc, input_shape, output_shape in self.requests:
            for name in self.closure(input_shape, output_shape):
                users.setdefault(name, set()).add(op_name)
        clash = action_classes & (set(self.structures) | set(self.enums))
        if clash:
            msg = f"shape names clash with action classes: {sorted(clash)}"
            raise ValueError(msg)
        # A shape of one action lives with it; a shape several actions share
        # has a module of its own, so that an action imports what it uses.
        self.homes = {}
        for name, ops in users.items():
            self.homes[name] = (
                action_module(next(iter(ops)))
                if len(ops) == 1
                else f"{SHARED}.{xform_name(name)}"
            )
        shared = [home for n, home in self.homes.items() if len(users[n]) > 1]
        if len(set(shared)) != len(shared):
            msg = "two shared shapes would share a module name"
            raise ValueError(msg)
        for op_name, *_ in self.requests:
            for suffix in ("Request", "Response"):
                self.homes[f"{op_name}{suffix}"] = action_module(op_name)
        self.check_no_cycle()

    def check_no_cycle(self) -> None:
        """Refuse shared shapes that refer to each other: they could not load."""
        shared = {n for n, home in self.homes.items() if home.startswith(f"{SHARED}.")}
        done: set[str] = set()
        for start in sorted(shared & set(self.structures)):
            path: list[str] = []
            stack = [(start, False)]
            while stack:
                name, leaving = stack.pop()
                if leaving:
                    path.pop()
                    done.add(name)
                    continue
                if name in path:
                    cycle = " -> ".join([*path[path.index(name) :], name])
                    msg = f"shared shapes refer to each other: {cycle}"
                    raise ValueError(msg)
                if name in done or name not in self.structures:
                    continue
                path.append(name)
                stack.append((name, True))
                uses = self.direct_uses(self.structures[name]) & shared
                stack += [(n, False) for n in sorted(uses - {name})]

    def closure(self, *shapes: Any) -> set[str]:
        """The class names of every structure and enum *shapes* use."""
        found: set[str] = set()
        todo = [shape for shape in shapes if shape is not None]
        while todo:
            for leaf in held_shapes(todo.pop()):
                if leaf.type_name != "structure":
                    self.enums[leaf.name] = leaf
                    found.add(leaf.name)
                    continue
                self.collect(leaf)
                name = self.class_names[leaf.name]
                if name not in found:
                    found.add(name)
                    todo.append(leaf)
        return found

    def direct_uses(self, shape: Any | None) -> set[str]:
        """The class names a class for *shape* refers to in its annotations."""
        if shape is None:
            return set()
        return {
            self.class_names[leaf.name] if leaf.type_name == "structure" else leaf.name
            for leaf in held_shapes(shape)
        }

    def class_lines(self, name: str, shape: Any | None, doc: str) -> list[str]:
        """The source of the model class *name*."""
        out = [MODEL_DECORATOR, f"class {name}(Model):"]
        out += wrap_docstring(doc, "    ")
        body = self.fields(shape)
        out += ["", *body] if body else []
        return [*out, "", ""]

    def enum_lines(self, name: str) -> list[str]:
        """The source of the enum class *name*."""
        shape = self.enums[name]
        out = [f"class {name}(StrEnum):"]
        doc = f"Known values of ``{name}``. Values AWS adds later stay plain strings."
        out += wrap_docstring(doc, "    ")
        out.append("")
        seen: set[str] = set()
        for value in shape.enum:
            member = enum_member_name(value)
            while member in seen:
                member += "_"
            seen.add(member)
            out.append(f'    {member} = "{value}"')
        return [*out, "", ""]

    def private_module(self, home: str) -> str:
        """The source of the private module *home*: its enums, then its classes."""
        enums = sorted(n for n in self.enums if self.homes.get(n) == home)
        structures = sorted(n for n in self.structures if self.homes.get(n) == home)
        body: list[str] = []
        uses: set[str] = set()
        for name in enums:
            body += self.enum_lines(name)
        for name in structures:
            shape = self.structures[name]
            doc = first_sentence(shape.documentation) or f"The ``{name}`` shape."
            body += self.class_lines(name, shape, doc)
            uses |= self.direct_uses(shape)
        defined = [*enums, *structures]
        if home.startswith(f"{SHARED}."):
            title = (
                f"The ``{defined[0]}`` shape of `elbtrail.{self.module}`, "
                "which several actions use."
            )
        else:
            op_name, op_doc, input_shape, output_shape = next(
                r for r in self.requests if action_module(r[0]) == home
            )
            title = f"The classes of ``{op_name}`` in `elbtrail.{self.module}`."
            for suffix, shape, part in (
                ("Request", input_shape, "``requestParameters``"),
                ("Response", output_shape, "``responseElements``"),
            ):
                doc = f"{part} of ``{op_name}``."
                if suffix == "Request" and op_doc:
                    doc = f"{doc} {op_doc}"
                body += self.class_lines(f"{op_name}{suffix}", shape, doc)
                uses |= self.direct_uses(shape)
                defined.append(f"{op_name}{suffix}")
        text = "\n".join(body)
        public = f"`elbtrail.{self.module}`"
        head = [
            '"""',
            title,
            "",
            f"Generated by ``scripts/generate_models.py``; see {public}.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
        ]
        standard = []
        if "Mapping[" in text:
            standard.append("from collections.abc import Mapping")
        if "datetime |" in text:
            standard.append("from datetime import datetime")
        head += [*standard, ""] if standard else []
        head += ["import attrs", ""] if "@attrs." in text else []
        model_names = [
            name
            for name, use in (
                ("Model", "(Model)"),
                ("StrEnum", "(StrEnum)"),
                ("key", "key("),
            )
            if use in text
        ]
        head.append(f"from elbtrail._model import {', '.join(model_names)}")
        relative = []
        for name in uses - set(defined):
            where = self.homes[name]
            if home.startswith(f"{SHARED}."):
                where = where.removeprefix(f"{SHARED}.")
            relative.append((where, name))
        if relative:
            head.append("")
            head += [f"from .{where} import {name}" for where, name in sorted(relative)]
        head += ["", "__all__ = ["]
        head += [f'    "{n}",' for n in sorted(defined)]
        head += ["]", "", ""]
        return "\n".join(head + body).rstrip("\n") + "\n"

    def public_module(self) -> str:
        """The source of the public module, which imports each class on first use."""
        version = self.model.api_version
        names = sorted(self.homes)
        by_home: dict[str, list[str]] = {}
        for name in names:
            by_home.setdefault(self.homes[name], []).append(name)
        out = [
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
            f"The classes are defined in ``elbtrail._{self.module}``, a module for",
            "each action and one for each shape several actions share, and each",
            "module is imported the first time one of its classes is used: reading",
            "a log that calls a few actions builds only their classes.",
            "",
            "This module is generated by ``scripts/generate_models.py`` from the",
            f"``{self.service}`` service definition of botocore",
            f"{botocore.__version__}.",
            "Do not edit it by hand: change the generator and run it again.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import TYPE_CHECKING",
            "",
            "from ._lazy import ActionClasses, import_name",
            "",
            "if TYPE_CHECKING:",
            "    from collections.abc import Mapping",
            "",
        ]
        imports = {"._model": "Model"}
        for home, classes in by_home.items():
            imports[f"._{self.module}.{home}"] = ", ".join(classes)
        out += [
            f"    from {where} import {imports[where]}" for where in sorted(imports)
        ]
        out += ["", "__all__ = ["]
        out += [f'    "{n}",' for n in sorted([*names, "ACTIONS", "API_VERSION"])]
        out += ["]", "", f'API_VERSION = "{version}"', ""]
        out.append(
            "#: Where each class is defined, under ``elbtrail._" + self.module + "``."
        )
        out.append("_HOMES = {")
        out += [f'    "{name}": "{self.homes[name]}",' for name in names]
        out += ["}", ""]
        out.append(
            "#: Action name -> (request class, response class), imported on first use."
        )
        out.append(
            "ACTIONS: Mapping[str, tuple[type[Model], type[Model]]] = ActionClasses("
        )
        out.append("    __name__,")
        out.append("    _HOMES,")
        out.append("    [")
        out += [f'        "{op}",' for op, *_ in self.requests]
        out += ["    ],", ")", ""]
        out += [
            "if not TYPE_CHECKING:",
            "",
            "    def __getattr__(name: str) -> object:",
            '        """Import the class *name* from its module, on first use."""',
            "        return import_name(__name__, _HOMES, name)",
            "",
            "",
            "def __dir__() -> list[str]:",
            '    """The module\'s names, the classes not yet imported included."""',
            "    return sorted({*globals(), *__all__})",
        ]
        return "\n".join(out) + "\n"

    def render(self) -> dict[str, str]:
        """Every module's source, by path under ``src/elbtrail``."""
        self.plan()
        out = {f"{self.module}.py": self.public_module()}
        out[f"_{self.module}/__init__.py"] = (
            f'"""The classes of `elbtrail.{self.module}`, a module for each action '
            '(generated)."""\n'
        )
        out[f"_{self.module}/{SHARED}/__init__.py"] = (
            f'"""The shapes several actions of `elbtrail.{self.module}` share, a '
            'module each (generated)."""\n'
        )
        for home in sorted(set(self.homes.values())):
            path = home.replace(".", "/")
            out[f"_{self.module}/{path}.py"] = self.private_module(home)
        return out


def held_shapes(shape: Any) -> list[Any]:
    """The structure and enum shapes *shape*'s members hold, through lists and maps."""
    out = []
    stack = list(shape.members.values())
    while stack:
        member = stack.pop()
        kind = member.type_name
        if kind == "list":
            stack.append(member.member)
        elif kind == "map":
            stack.append(member.value)
        elif kind == "structure" or (kind == "string" and member.enum):
            out.append(member)
    return out


def action_module(op_name: str) -> str:
    """The name of the module of action *op_name*: ``create_load_balancer``."""
    return xform_name(op_name)


def ruff_format(texts: dict[Path, str]) -> dict[Path, str]:
    """Lay out *texts* as the project's formatter does, so the check stays clean."""
    with tempfile.TemporaryDirectory() as folder:
        copies = {}
        for index, (path, text) in enumerate(texts.items()):
            copy = Path(folder) / f"m{index}.py"
            copy.write_text(text, encoding="utf-8")
            copies[path] = copy
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "format",
                "--quiet",
                "--config",
                str(ROOT / "pyproject.toml"),
                folder,
            ],
            check=True,
            cwd=ROOT,
        )
        return {path: copy.read_text(encoding="utf-8") for path, copy in copies.items()}


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
    sources = {}
    writers = []
    for service, module, title in SERVICES:
        writer = ModuleWriter(service, module, title)
        writers.append(writer)
        for name, text in writer.render().items():
            sources[PACKAGE / name] = text
    out = ruff_format(sources)
    out[ROOT / "docs" / "actions.md"] = render_actions_page(writers)
    return out


def generated_folders() -> list[Path]:
    """The folders that hold only generated modules."""
    return [
        folder
        for _, module, _ in SERVICES
        for folder in (PACKAGE / f"_{module}", PACKAGE / f"_{module}" / SHARED)
    ]


def main(argv: list[str] | None = None) -> int:
    """Write the generated modules, or with ``--check`` report stale ones."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report staleness")
    args = parser.parse_args(argv)
    stale = []
    rendered = render_all()
    for folder in generated_folders():
        for path in sorted(folder.glob("*.py")):
            if path not in rendered:  # an action that is gone
                stale.append(path)
                if not args.check:
                    path.unlink()
    for path, text in rendered.items():
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
