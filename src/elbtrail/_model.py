"""
The base of every typed CloudTrail model, and the code that moves data in and out.

Theory of operation
-------------------
Every model is a frozen attrs class deriving from :class:`Model`. Its fields are
annotated with the Python types a user sees (``int | None``,
``tuple[Listener, ...] | None``, ``ProtocolEnum | str | None``,
``datetime | None``); its wire keys are the field names in lower camel case
unless :func:`key` names them (``dNSName``, ``sSLCertificateId``).

From those annotations this module compiles, once per class and on first use,
two plain Python functions: one that builds an instance from a JSON mapping and
one that turns an instance back into that mapping. Compiling avoids reflection
in the hot loop, which is what keeps typed parsing close to the cost of
decoding the JSON.

Three rules make the round trip lossless:

1. keys a model does not know are kept verbatim in ``extra``;
2. a value of the wrong type leaves its field ``None``, is reported as an
   :class:`~elbtrail.Issue` with its JSON path, and is kept verbatim;
3. a value that was typed from another spelling (``"true"`` for a boolean,
   ``"Apr 11, 2016 5:23:50 PM"`` for a time, an explicit ``null``) remembers
   that spelling, and gives it back for as long as the field keeps that value.

Rules 2 and 3 share one private mapping per instance, ``_wire``, from wire key
to ``(typed value, original value)``; it is ``None`` for the common instance
that needs neither.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Self, TypeVar

import attrs

from ._issues import Issue, ParseError, Severity
from ._timestamps import format_canonical, is_canonical, parse_timestamp

__all__ = [
    "EMPTY",
    "HOOK",
    "KEY",
    "SKIP",
    "Model",
    "copy_json",
    "key",
    "structure",
    "structurer",
    "unstructure",
]

#: Field metadata: the wire key, where it is not the field name in lower camel case.
KEY = "elbtrail.key"
#: Field metadata: a ``(structure, unstructure)`` pair for fields whose type
#: depends on the rest of the record (``requestParameters``).
HOOK = "elbtrail.hook"
#: Field metadata: the field is not on the wire at all (``Event.issues``).
SKIP = "elbtrail.skip"

#: The shared, immutable empty mapping for models without unknown keys.
EMPTY: Mapping[str, Any] = MappingProxyType({})

# A per-call "no such key" marker that JSON can never produce.
_ABSENT = object()


def key(name: str) -> Any:
    """Declare an optional field whose wire key is *name* (``"dNSName"``)."""
    return attrs.field(default=None, metadata={KEY: name})


@attrs.frozen(kw_only=True, repr=False)
class Model:
    """
    Base class of every typed CloudTrail model.

    Attributes:
        extra: Keys this model does not know (new fields AWS adds), verbatim.

    .. versionadded:: 0.1.0
    """

    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False, hash=False)
    _wire: Mapping[str, tuple[Any, Any]] | None = attrs.field(
        default=None, repr=False, eq=False, hash=False, alias="_wire"
    )

    @classmethod
    def _elbtrail_choose(cls, data: Mapping[str, Any]) -> type[Model]:  # noqa: ARG003
        """
        Return the class to build for *data*.

        Overridden by a base whose concrete class depends on the data
        (``userIdentity.type``); every other model builds itself.
        """
        return cls

    def __repr__(self) -> str:
        """Show the fields that have values, and unknown keys if there are any."""
        shown = [
            f"{a.name}={getattr(self, a.name)!r}"
            for a in attrs.fields(type(self))
            if a.repr and getattr(self, a.name) is not None and a.name != "extra"
        ]
        if self.extra:
            shown.append(f"extra={dict(self.extra)!r}")
        return f"{type(self).__qualname__}({', '.join(shown)})"

    def to_dict(self) -> dict[str, Any]:
        """
        Return the JSON mapping this model stands for.

        For a model read from CloudTrail this is equal to the mapping that was
        read, unknown keys, nulls and wrongly typed values included.
        """
        return unstructure(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, strict: bool = False) -> Self:
        """
        Build the model from a JSON mapping in CloudTrail's casing.

        Args:
            data: The mapping, for example a record's ``requestParameters``.
            strict: Raise instead of keeping wrongly typed values.

        Raises:
            elbtrail.ParseError: In strict mode, when a value has the wrong type.
        """
        issues: list[Issue] = []
        result = structure(cls, data, "", issues)
        if strict and any(i.is_damage for i in issues):
            raise ParseError(issues)
        return result

    def wire_value(self, wire_key: str) -> Any:
        """
        Return the value under *wire_key* exactly as it was read, or ``None``.

        Useful for a value that did not have the expected type, since its
        field is then ``None``.
        """
        return self.to_dict().get(wire_key, self.extra.get(wire_key))


ModelT = TypeVar("ModelT", bound=Model)

# ---------------------------------------------------------------------------
# Kinds: what a field's annotation asks for, decided once per class.


@attrs.frozen
class _Kind:
    tag: str
    arg: Any = None


_SCALARS = {str: "str", int: "int", float: "float", bool: "bool", datetime: "ts"}
_EXPECTED = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "ts": "a time",
    "enum": "a string",
    "model": "an object",
    "seq": "a list",
    "map": "an object",
    "object": "an object",
}


def _kind_of(tp: Any) -> _Kind:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            return _kind_of(members[0])
        enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
        if len(members) == 2 and str in members and enums:
            return _Kind("enum", enums[0])
        msg = f"unsupported union in a model: {tp!r}"
        raise TypeError(msg)
    if tp is Any:
        return _Kind("any")
    if tp in _SCALARS:
        return _Kind(_SCALARS[tp])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _Kind("seq", _kind_of(args[0]))
    if origin in (Mapping, dict):
        if args[1] is Any:
            return _Kind("object")
        return _Kind("map", _kind_of(args[1]))
    if isinstance(tp, type) and issubclass(tp, Model):
        return _Kind("model", tp)
    msg = f"unsupported type in a model: {tp!r}"
    raise TypeError(msg)


def _default_key(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# ---------------------------------------------------------------------------
# Helpers the generated code calls on the uncommon paths.


def join(path: str, part: str) -> str:
    """Append a key to a JSON path."""
    return f"{path}.{part}" if path else part


def _put(
    wire: dict[str, tuple[Any, Any]] | None, wire_key: str, typed: Any, raw: Any
) -> dict[str, tuple[Any, Any]]:
    if wire is None:
        wire = {}
    wire[wire_key] = (typed, raw)
    return wire


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    name = {
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        list: "list",
        dict: "object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    return f"{name} {text}" if name not in ("object", "list", "null") else name


def _wrong(issues: list[Issue], path: str, expected: str, value: Any) -> None:
    issues.append(
        Issue(
            message=f"expected {expected}, got {_describe(value)}",
            code="wrong-type",
            severity=Severity.ERROR,
            path=path,
            action="kept the original value; the field is None",
        )
    )


def copy_json(value: Any) -> Any:
    """Copy a JSON value deeply, so callers cannot change a model through it."""
    cls = value.__class__
    if cls is dict:
        return {k: copy_json(v) for k, v in value.items()}
    if cls is list:
        return [copy_json(v) for v in value]
    return value


def _same(typed: Any, current: Any) -> bool:
    return typed is current or (type(typed) is type(current) and typed == current)


class _Bad:
    """Marks a container that held a wrongly typed element."""


_BAD = _Bad()

# A converter: (value, path, issues) -> typed value, or _BAD after reporting.
_Conv = Callable[[Any, str, list[Issue]], Any]


def _element_converter(kind: _Kind) -> _Conv:
    tag = kind.tag
    expected = _EXPECTED.get(tag, "a value")

    if tag in ("str", "int"):
        want = str if tag == "str" else int

        def scalar(value: Any, path: str, issues: list[Issue]) -> Any:
            if value.__class__ is want:
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return scalar
    if tag == "float":

        def number(value: Any, path: str, issues: list[Issue]) -> Any:
            if value.__class__ is float or value.__class__ is int:
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return number
    if tag == "bool":

        def boolean(value: Any, path: str, issues: list[Issue]) -> Any:
            if value is True or value is False:
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return boolean
    if tag == "enum":
        members = kind.arg._value2member_map_

        def member(value: Any, path: str, issues: list[Issue]) -> Any:
            if value.__class__ is str:
                return members.get(value, value)
            _wrong(issues, path, expected, value)
            return _BAD

        return member
    if tag == "model":
        build = structurer(kind.arg)

        def nested(value: Any, path: str, issues: list[Issue]) -> Any:
            if value.__class__ is dict:
                return build(value, path, issues)
            _wrong(issues, path, expected, value)
            return _BAD

        return nested
    if tag == "seq":
        return _sequence_converter(kind.arg)
    if tag == "map":
        return _mapping_converter(kind.arg)
    if tag == "object":

        def obj(value: Any, path: str, issues: list[Issue]) -> Any:
            if value.__class__ is dict:
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return obj
    if tag == "ts":
        # Times inside lists keep no original spelling; refuse the rare
        # non-canonical one rather than lose it.
        def time(value: Any, path: str, issues: list[Issue]) -> Any:
            if value.__class__ is str and is_canonical(value):
                return datetime.fromisoformat(value)
            _wrong(issues, path, "a time in ISO 8601 form", value)
            return _BAD

        return time

    def anything(value: Any, path: str, issues: list[Issue]) -> Any:  # noqa: ARG001
        return value

    return anything


def _sequence_converter(inner: _Kind) -> _Conv:
    if inner.tag in ("str", "int"):
        want = str if inner.tag == "str" else int
        check = _element_converter(inner)

        def simple(value: Any, path: str, issues: list[Issue]) -> Any:
            if value.__class__ is not list:
                _wrong(issues, path, "a list", value)
                return _BAD
            for item in value:
                if item.__class__ is not want:
                    break
            else:
                return tuple(value)
            for index, item in enumerate(value):
                check(item, f"{path}[{index}]", issues)
            return _BAD

        return simple
    convert = _element_converter(inner)

    def general(value: Any, path: str, issues: list[Issue]) -> Any:
        if value.__class__ is not list:
            _wrong(issues, path, "a list", value)
            return _BAD
        out = [convert(item, f"{path}[{i}]", issues) for i, item in enumerate(value)]
        if any(item is _BAD for item in out):
            return _BAD
        return tuple(out)

    return general


def _mapping_converter(inner: _Kind) -> _Conv:
    convert = _element_converter(inner)

    def mapping(value: Any, path: str, issues: list[Issue]) -> Any:
        if value.__class__ is not dict:
            _wrong(issues, path, "an object", value)
            return _BAD
        out = {k: convert(v, join(path, k), issues) for k, v in value.items()}
        if any(v is _BAD for v in out.values()):
            return _BAD
        return out

    return mapping


def _element_unconverter(kind: _Kind) -> Callable[[Any], Any]:
    tag = kind.tag
    if tag == "ts":
        return format_canonical
    if tag == "enum":
        return lambda v: v if v.__class__ is str else v.value
    if tag == "model":
        return unstructure
    if tag == "seq":
        item = _element_unconverter(kind.arg)
        return lambda v: [item(x) for x in v]
    if tag == "map":
        item = _element_unconverter(kind.arg)
        return lambda v: {k: item(x) for k, x in v.items()}
    if tag in ("object", "any"):
        return copy_json
    return lambda v: v


# ---------------------------------------------------------------------------
# The compiler.

_Structurer = Callable[[Mapping[str, Any], str, list[Issue]], Any]
_STRUCTURERS: dict[type, _Structurer] = {}
_CONCRETE: dict[type, _Structurer] = {}
_UNSTRUCTURERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


@attrs.frozen
class _Field:
    name: str
    wire: str
    kind: _Kind | None
    hook: tuple[Callable[..., Any], Callable[[Any], Any]] | None


def _fields(cls: type[Model]) -> list[_Field]:
    hints = typing.get_type_hints(cls)
    out = []
    for attribute in attrs.fields(cls):
        if attribute.name in ("extra", "_wire") or attribute.metadata.get(SKIP):
            continue
        wire = attribute.metadata.get(KEY) or _default_key(attribute.name)
        hook = attribute.metadata.get(HOOK)
        kind = None if hook else _kind_of(hints[attribute.name])
        out.append(_Field(attribute.name, wire, kind, hook))
    return out


def structurer(cls: type[Model]) -> _Structurer:
    """Return the compiled ``(mapping, path, issues) -> model`` function of *cls*."""
    try:
        return _STRUCTURERS[cls]
    except KeyError:
        pass
    choose = cls._elbtrail_choose
    if cls is Model or "_elbtrail_choose" not in vars(cls):
        return _concrete_structurer(cls)

    # A polymorphic base: the concrete class depends on each mapping.
    def polymorphic(data: Mapping[str, Any], path: str, issues: list[Issue]) -> Any:
        return _concrete_structurer(choose(data))(data, path, issues)

    _STRUCTURERS[cls] = polymorphic
    return polymorphic


def _concrete_structurer(cls: type[Model]) -> _Structurer:
    try:
        return _CONCRETE[cls]
    except KeyError:
        pass
    # Stand in for this class while its own fields compile, for recursive shapes.
    _CONCRETE[cls] = lambda d, p, i: _CONCRETE[cls](d, p, i)  # noqa: PLW0108 - late lookup
    try:
        function = _compile_structurer(cls)
    except BaseException:
        del _CONCRETE[cls]
        raise
    _CONCRETE[cls] = function
    if "_elbtrail_choose" not in vars(cls):
        _STRUCTURERS[cls] = function
    return function


def _compile_structurer(cls: type[Model]) -> _Structurer:
    fields = _fields(cls)
    namespace: dict[str, Any] = {
        "_cls": cls,
        "_ABSENT": _ABSENT,
        "_BAD": _BAD,
        "_EMPTY": EMPTY,
        "_put": _put,
        "_wrong": _wrong,
        "_join": join,
        "_canonical": is_canonical,
        "_fromiso": datetime.fromisoformat,
        "_parse_ts": parse_timestamp,
        "_known": frozenset(f.wire for f in fields),
    }
    lines = [
        "def structure(d, path, issues):",
        "    get = d.get",
        "    n = 0",
        "    w = None",
    ]
    for index, field in enumerate(fields):
        k = repr(field.wire)
        a = f"a{index}"
        lines += [
            f"    v = get({k}, _ABSENT)",
            "    if v is _ABSENT:",
            f"        {a} = None",
        ]
        lines += ["    else:", "        n += 1"]
        body: list[str]
        if field.hook is not None:
            namespace[f"h{index}"] = field.hook[0]
            body = [
                "if v is None:",
                f"    {a} = None",
                f"    w = _put(w, {k}, None, None)",
                "else:",
                f"    {a}, ok = h{index}(v, d, _join(path, {k}), issues)",
                "    if not ok:",
                f"        w = _put(w, {k}, None, v)",
            ]
        else:
            assert field.kind is not None
            body = _structure_body(field.kind, index, k, a, namespace)
        lines += ["        " + line for line in body]
    args = ", ".join(f"{f.name.lstrip('_')}=a{i}" for i, f in enumerate(fields))
    lines += [
        "    if n == len(d):",
        "        extra = _EMPTY",
        "    else:",
        "        extra = {k: v for k, v in d.items() if k not in _known}",
        f"    return _cls({args}{', ' if args else ''}extra=extra, _wire=w)",
    ]
    source = "\n".join(lines) + "\n"
    filename = f"<elbtrail structure {cls.__module__}.{cls.__qualname__}>"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    function: _Structurer = namespace["structure"]
    return function


def _structure_body(
    kind: _Kind, index: int, k: str, a: str, namespace: dict[str, Any]
) -> list[str]:
    tag = kind.tag
    null = ["elif v is None:", f"    {a} = None", f"    w = _put(w, {k}, None, None)"]
    wrong = [
        "else:",
        f"    {a} = None",
        f"    w = _put(w, {k}, None, v)",
        f"    _wrong(issues, _join(path, {k}), {_EXPECTED[tag]!r}, v)",
    ]
    if tag in ("str", "int"):
        test = f"v.__class__ is {tag}"
        return [f"if {test}:", f"    {a} = v", *null, *wrong]
    if tag == "float":
        return [
            "if v.__class__ is float or v.__class__ is int:",
            f"    {a} = v",
            *null,
            *wrong,
        ]
    if tag == "bool":
        return [
            "if v is True or v is False:",
            f"    {a} = v",
            *null,
            "elif v == 'true' or v == 'false':",
            f"    {a} = v == 'true'",
            f"    w = _put(w, {k}, {a}, v)",
            *wrong,
        ]
    if tag == "ts":
        return [
            "if v.__class__ is str and _canonical(v):",
            f"    {a} = _fromiso(v)",
            *null,
            "elif (t := _parse_ts(v)) is not None:",
            f"    {a} = t",
            f"    w = _put(w, {k}, t, v)",
            *wrong,
        ]
    if tag == "enum":
        namespace[f"m{index}"] = kind.arg._value2member_map_
        return [
            "if v.__class__ is str:",
            f"    {a} = m{index}.get(v, v)",
            *null,
            *wrong,
        ]
    if tag == "model":
        namespace[f"s{index}"] = structurer(kind.arg)
        return [
            "if v.__class__ is dict:",
            f"    {a} = s{index}(v, _join(path, {k}), issues)",
            *null,
            *wrong,
        ]
    if tag == "object":
        return ["if v.__class__ is dict:", f"    {a} = v", *null, *wrong]
    if tag in ("seq", "map"):
        namespace[f"c{index}"] = (
            _sequence_converter(kind.arg)
            if tag == "seq"
            else _mapping_converter(kind.arg)
        )
        return [
            "if v is None:",
            f"    {a} = None",
            f"    w = _put(w, {k}, None, None)",
            "else:",
            f"    {a} = c{index}(v, _join(path, {k}), issues)",
            f"    if {a} is _BAD:",
            f"        {a} = None",
            f"        w = _put(w, {k}, None, v)",
        ]
    # "any": whatever JSON holds; only null needs remembering.
    return [f"{a} = v", "if v is None:", f"    w = _put(w, {k}, None, None)"]


def unstructurer(cls: type[Model]) -> Callable[[Any], dict[str, Any]]:
    """Return the compiled ``model -> mapping`` function of *cls*."""
    try:
        return _UNSTRUCTURERS[cls]
    except KeyError:
        pass
    fields = _fields(cls)
    namespace: dict[str, Any] = {"_same": _same, "_copy": copy_json}
    lines = ["def unstructure(o):", "    d = {}", "    w = o._wire"]
    for index, field in enumerate(fields):
        k = repr(field.wire)
        if field.hook is not None:
            convert = field.hook[1]
        else:
            assert field.kind is not None
            convert = _element_unconverter(field.kind)
        namespace[f"u{index}"] = convert
        lines += [
            f"    v = o.{field.name}",
            f"    if w is not None and {k} in w and _same(w[{k}][0], v):",
            f"        d[{k}] = _copy(w[{k}][1])",
            "    elif v is not None:",
            f"        d[{k}] = u{index}(v)",
        ]
    lines += [
        "    if o.extra:",
        "        for k, v in o.extra.items():",
        "            d[k] = _copy(v)",
        "    return d",
    ]
    source = "\n".join(lines) + "\n"
    filename = f"<elbtrail unstructure {cls.__module__}.{cls.__qualname__}>"
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    function: Callable[[Any], dict[str, Any]] = namespace["unstructure"]
    _UNSTRUCTURERS[cls] = function
    return function


def structure(
    cls: type[ModelT], data: Mapping[str, Any], path: str, issues: list[Issue]
) -> ModelT:
    """Build *cls* from *data*, appending problems to *issues* with their paths."""
    result: ModelT = structurer(cls)(data, path, issues)
    return result


def unstructure(model: Model) -> dict[str, Any]:
    """Return the JSON mapping *model* stands for."""
    return unstructurer(type(model))(model)
