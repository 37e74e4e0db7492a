"""
The base of every typed CloudTrail model, and the code that moves data in and out.

Theory of operation
-------------------
Every model is a frozen attrs class deriving from `Model`. Its fields are
annotated with the Python types a user sees (``int | None``,
``tuple[Listener, ...] | None``, ``ProtocolEnum | str | None``,
``datetime | None``); its wire keys are the field names in lower camel case
unless `key()` names them (``dNSName``, ``sSLCertificateId``).

From those annotations this module derives, once per class and on first use,
two functions: one that builds an instance from a JSON mapping in one pass
over its items, driven by lookup tables, and one (generated Python) that turns
an instance back into that mapping. Nothing is reflected on in the hot loop,
which is what keeps typed parsing close to the cost of decoding the JSON.
Instances built from JSON keep only the fields the mapping had in their
``__dict__``; every other field reads as the class's default.

Three rules make the round trip lossless:

1. keys a model does not know are kept verbatim in ``extra``;
2. a value of the wrong type leaves its field ``None``, is reported as an
   `Issue` with its JSON path, and is kept verbatim;
3. a value that was typed from another spelling (``"true"`` for a boolean,
   ``"Apr 11, 2016 5:23:50 PM"`` for a time, an explicit ``null``) remembers
   that spelling, and gives it back for as long as the field keeps that value.

Rules 2 and 3 share one private mapping per instance, ``_wire``, from wire key
to ``(typed value, original value)``; it is ``None`` for the common instance
that needs neither.
"""

from __future__ import annotations

import enum
import reprlib
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
    "BAD",
    "EMPTY",
    "HOOK",
    "KEY",
    "SKIP",
    "Field",
    "JsonPath",
    "Kind",
    "Model",
    "copy_json",
    "key",
    "render_path",
    "structure",
    "structurer",
    "unstructure",
    "wire_fields",
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


def key(name: str) -> Any:
    """Declare an optional field whose wire key is *name* (``"dNSName"``)."""
    return attrs.field(default=None, metadata={KEY: name})


@attrs.frozen(kw_only=True, repr=False, slots=False)
class Model:
    """
    Base class of every typed CloudTrail model.

    Attributes:
        extra: Keys this model does not know (new fields AWS adds), verbatim.

    Added in version 0.1.0.
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

    def __getattr__(self, name: str) -> Any:
        """Find a field's default on the class (see ``install_defaults``)."""
        cls = type(self)
        if name.startswith("__") or cls.__dict__.get("_elbtrail_defaults"):
            raise AttributeError(name)
        install_defaults(cls)
        return getattr(self, name)

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
        attribute is then ``None``.
        """
        return self.to_dict().get(wire_key)


ModelT = TypeVar("ModelT", bound=Model)

# ---------------------------------------------------------------------------
# Kinds: what a field's annotation asks for, decided once per class.


@attrs.frozen
class Kind:
    """What a field holds: ``tag`` names it, ``arg`` is its class or item kind."""

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


def _kind_of(tp: Any) -> Kind:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1:
            return _kind_of(members[0])
        enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
        if len(members) == 2 and str in members and enums:
            return Kind("enum", enums[0])
        msg = f"unsupported union in a model: {tp!r}"
        raise TypeError(msg)
    if tp is Any:
        return Kind("any")
    if tp in _SCALARS:
        return Kind(_SCALARS[tp])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return Kind("seq", _kind_of(args[0]))
    if origin in (Mapping, dict):
        if args[1] is Any:
            return Kind("object")
        return Kind("map", _kind_of(args[1]))
    if isinstance(tp, type) and issubclass(tp, Model):
        return Kind("model", tp)
    msg = f"unsupported type in a model: {tp!r}"
    raise TypeError(msg)


def _default_key(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# ---------------------------------------------------------------------------
# Helpers the generated code calls on the uncommon paths.


#: A JSON path, kept as a chain of ``(parent, key)`` pairs until it is shown,
#: so that building one for every nested value costs a tuple, not a string.
JsonPath = str | tuple[Any, str | int]


def render_path(path: JsonPath) -> str:
    """Show a JSON path as ``Records[3].requestParameters.listeners[0]``."""
    keys: list[str | int] = []
    while path.__class__ is tuple:
        path, key = path
        keys.append(key)
    out: str = path  # type: ignore[assignment]
    for key in reversed(keys):
        if isinstance(key, int):
            out = f"{out}[{key}]"
        else:
            out = f"{out}.{key}" if out else key
    return out


def _put(
    wire: dict[str, tuple[Any, Any]] | None, wire_key: str, typed: Any, raw: Any
) -> dict[str, tuple[Any, Any]]:
    if wire is None:
        wire = {}
    wire[wire_key] = (typed, raw)
    return wire


# Bounded in depth and length: a wrong value may be a huge or deeply nested one.
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 50
_REPR.maxother = 50


def _describe(value: Any) -> str:
    text = _REPR.repr(value)
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


def _wrong(issues: list[Issue], path: JsonPath, expected: str, value: Any) -> None:
    issues.append(
        Issue(
            message=f"expected {expected}, got {_describe(value)}",
            code="wrong-type",
            severity=Severity.ERROR,
            path=render_path(path),
            action="kept the original value; the field is None",
        )
    )


def copy_json(value: Any) -> Any:
    """
    Copy a JSON value deeply, so callers cannot change a model through it.

    Iterative, so nesting as deep as any decoder accepts cannot exhaust
    Python's recursion limit.
    """
    cls = value.__class__
    if cls is not dict and cls is not list:
        return value
    root: Any = {} if cls is dict else []
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if source.__class__ is dict else enumerate(source)
        for key, item in items:
            kind = item.__class__
            copied = item
            if kind is dict or kind is list:
                copied = {} if kind is dict else []
                stack.append((item, copied))
            if target.__class__ is dict:
                target[key] = copied
            else:
                target.append(copied)
    return root


def _same(typed: Any, current: Any) -> bool:
    return typed is current or (type(typed) is type(current) and typed == current)


class _Bad:
    """Marks a value of the wrong type, already reported."""


_BAD = _Bad()
#: What a structuring hook returns for a value of the wrong type (reported).
BAD: Any = _BAD


@attrs.frozen
class _Keep:
    """A typed value read from another spelling, which must be remembered."""

    value: Any


# A converter: (value, path, issues) -> typed value, or _BAD after reporting.
_Conv = Callable[[Any, JsonPath, list[Issue]], Any]


def _element_converter(kind: Kind) -> _Conv:
    tag = kind.tag
    expected = _EXPECTED.get(tag, "a value")

    if tag in ("str", "int"):
        want = str if tag == "str" else int

        def scalar(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            if value.__class__ is want:
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return scalar
    if tag == "float":

        def number(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            if value.__class__ is float or value.__class__ is int:
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return number
    if tag == "bool":

        def boolean(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            if value is True or value is False:
                return value
            if value == "true" or value == "false":  # noqa: PLR1714 - str only
                return _Keep(value == "true")
            _wrong(issues, path, expected, value)
            return _BAD

        return boolean
    if tag == "enum":
        members = kind.arg._value2member_map_

        def member(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            if value.__class__ is str:
                return members.get(value, value)
            _wrong(issues, path, expected, value)
            return _BAD

        return member
    if tag == "model":
        build = structurer(kind.arg)

        def nested(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
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

        def obj(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            if value.__class__ is dict:
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return obj
    if tag == "ts":
        fromiso = datetime.fromisoformat

        def time(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            # The envelope's own form formats back to the same text, so it
            # needs no remembered spelling.
            if value.__class__ is str and is_canonical(value):
                try:
                    return fromiso(value)
                except ValueError:
                    pass
            parsed = parse_timestamp(value)
            if parsed is not None:
                return _Keep(parsed)
            _wrong(issues, path, expected, value)
            return _BAD

        return time

    def anything(value: Any, path: JsonPath, issues: list[Issue]) -> Any:  # noqa: ARG001
        return value

    return anything


def _unkept(value: Any) -> Any:
    return value.value if value.__class__ is _Keep else value


def _sequence_converter(inner: Kind) -> _Conv:
    if inner.tag in ("str", "int"):
        want = str if inner.tag == "str" else int
        check = _element_converter(inner)

        def simple(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            if value.__class__ is not list:
                _wrong(issues, path, "a list", value)
                return _BAD
            for item in value:
                if item.__class__ is not want:
                    break
            else:
                return tuple(value)
            for index, item in enumerate(value):
                check(item, (path, index), issues)
            return _BAD

        return simple
    convert = _element_converter(inner)

    def general(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
        if value.__class__ is not list:
            _wrong(issues, path, "a list", value)
            return _BAD
        out = [convert(item, (path, i), issues) for i, item in enumerate(value)]
        if any(item is _BAD for item in out):
            return _BAD
        if any(item.__class__ is _Keep for item in out):
            return _Keep(tuple(_unkept(item) for item in out))
        return tuple(out)

    return general


def _mapping_converter(inner: Kind) -> _Conv:
    convert = _element_converter(inner)

    def mapping(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
        if value.__class__ is not dict:
            _wrong(issues, path, "an object", value)
            return _BAD
        out = {k: convert(v, (path, k), issues) for k, v in value.items()}
        if any(v is _BAD for v in out.values()):
            return _BAD
        if any(v.__class__ is _Keep for v in out.values()):
            return _Keep({k: _unkept(v) for k, v in out.items()})
        return out

    return mapping


def _element_unconverter(kind: Kind) -> Callable[[Any], Any]:
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

_Structurer = Callable[[Mapping[str, Any], JsonPath, list[Issue]], Any]
_STRUCTURERS: dict[type, _Structurer] = {}
_CONCRETE: dict[type, _Structurer] = {}
_UNSTRUCTURERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


@attrs.frozen
class Field:
    """A field of a model: attribute name, wire key, and kind or hook."""

    name: str
    wire: str
    kind: Kind | None
    hook: tuple[Callable[..., Any], Callable[[Any], Any]] | None


def wire_fields(cls: type[Model]) -> list[Field]:
    """The fields of *cls* that are on the wire, with their keys and kinds."""
    hints = typing.get_type_hints(cls)
    out = []
    for attribute in attrs.fields(cls):
        if attribute.name in ("extra", "_wire") or attribute.metadata.get(SKIP):
            continue
        wire = attribute.metadata.get(KEY) or _default_key(attribute.name)
        hook = attribute.metadata.get(HOOK)
        kind = None if hook else _kind_of(hints[attribute.name])
        out.append(Field(attribute.name, wire, kind, hook))
    return out


def structurer(cls: type[Model]) -> _Structurer:
    """Return the compiled ``(mapping, path, issues) -> model`` function of *cls*."""
    try:
        return _STRUCTURERS[cls]
    except KeyError:
        pass
    choose = cls._elbtrail_choose
    function: _Structurer
    if cls is Model or "_elbtrail_choose" not in vars(cls):
        function = _concrete_structurer(cls)
    else:
        # A polymorphic base: the concrete class depends on each mapping.
        def function(
            data: Mapping[str, Any], path: JsonPath, issues: list[Issue]
        ) -> Any:
            return _concrete_structurer(choose(data))(data, path, issues)

    if vars(cls).get("_elbtrail_intern") and _dumps is not None:
        function = _interning(function)
    _STRUCTURERS[cls] = function
    return function


# Interning: some parts of a record repeat across thousands of records (the
# caller's userIdentity within one session, tlsDetails). Models are immutable,
# so one instance can stand for every equal occurrence, which saves building
# them again and the memory of the copies. Only clean results (no issue) are
# shared, keyed on the exact JSON text, and the table is bounded.
_INTERN_LIMIT = 4096

_dumps: Callable[[Any], bytes] | None
try:
    from orjson import dumps as _dumps
except ImportError:  # pragma: no cover - without the fast extra, no interning
    _dumps = None


def _interning(function: _Structurer) -> _Structurer:
    table: dict[bytes, Any] = {}
    dumps = _dumps
    assert dumps is not None

    def interned(data: Mapping[str, Any], path: JsonPath, issues: list[Issue]) -> Any:
        try:
            text = dumps(data)
        except TypeError:  # integers beyond 64 bits
            return function(data, path, issues)
        found = table.get(text)
        if found is not None:
            return found
        before = len(issues)
        result = function(data, path, issues)
        if len(issues) == before:
            if len(table) >= _INTERN_LIMIT:
                table.clear()
            table[text] = result
        return result

    return interned


def _concrete_structurer(cls: type[Model]) -> _Structurer:
    try:
        return _CONCRETE[cls]
    except KeyError:
        pass
    # Stand in for this class while its own fields compile, for recursive shapes.
    _CONCRETE[cls] = lambda d, p, i: _CONCRETE[cls](d, p, i)  # noqa: PLW0108 - late lookup
    try:
        function = _build_structurer(cls)
    except BaseException:
        del _CONCRETE[cls]
        raise
    _CONCRETE[cls] = function
    if "_elbtrail_choose" not in vars(cls):
        _STRUCTURERS[cls] = function
    return function


def install_defaults(cls: type[Model]) -> None:
    """
    Put each field's default on the class, once.

    Instances keep only the fields they have in their ``__dict__``; reading
    any other field finds the class's default. Building a record's objects
    then costs one small dictionary each, not a call per field.
    """
    if cls.__dict__.get("_elbtrail_defaults"):
        return
    for attribute in attrs.fields(cls):
        default = attribute.default
        if not isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            type.__setattr__(cls, attribute.name, default)
    type.__setattr__(cls, "_elbtrail_defaults", True)


def _build_structurer(cls: type[Model]) -> _Structurer:
    """
    Build the structuring function of *cls* from its fields.

    One loop over the mapping's items: strings and integers of the right
    type (most values) are stored with a table lookup; other kinds go through
    their converter; unknown keys are collected in ``extra``. The result's
    ``__dict__`` holds only what the mapping had; see `install_defaults()`.
    """
    install_defaults(cls)
    fields = wire_fields(cls)
    simple: dict[str, tuple[str, type]] = {}
    converters: dict[str, tuple[str, _Conv]] = {}
    hooks: dict[str, tuple[str, Callable[..., Any]]] = {}
    for field in fields:
        if field.hook is not None:
            hooks[field.wire] = (field.name, field.hook[0])
            continue
        assert field.kind is not None
        convert = _element_converter(field.kind)
        converters[field.wire] = (field.name, convert)
        if field.kind.tag in ("str", "int"):
            simple[field.wire] = (field.name, str if field.kind.tag == "str" else int)
    new = object.__new__
    set_dict = object.__setattr__
    simple_get = simple.get
    converters_get = converters.get

    def structure(data: Mapping[str, Any], path: JsonPath, issues: list[Issue]) -> Any:
        values: dict[str, Any] = {}
        wire: dict[str, tuple[Any, Any]] | None = None
        extra: dict[str, Any] | None = None
        for key, value in data.items():
            plain = simple_get(key)
            if plain is not None and value.__class__ is plain[1]:
                values[plain[0]] = value
                continue
            spec = converters_get(key)
            if spec is None:
                hook = hooks.get(key)
                if hook is None:
                    if extra is None:
                        extra = {}
                    extra[key] = value
                    continue
                if value is None:
                    wire = _put(wire, key, None, None)
                    continue
                name = hook[0]
                typed = hook[1](value, data, (path, key), issues)
            elif value is None:
                wire = _put(wire, key, None, None)
                continue
            else:
                name = spec[0]
                typed = spec[1](value, (path, key), issues)
            if typed is _BAD:
                wire = _put(wire, key, None, value)
            elif typed.__class__ is _Keep:
                values[name] = typed.value
                wire = _put(wire, key, typed.value, value)
            else:
                values[name] = typed
        if extra is not None:
            values["extra"] = extra
        if wire is not None:
            values["_wire"] = wire
        instance = new(cls)
        set_dict(instance, "__dict__", values)
        return instance

    return structure


def unstructurer(cls: type[Model]) -> Callable[[Any], dict[str, Any]]:
    """Return the compiled ``model -> mapping`` function of *cls*."""
    try:
        return _UNSTRUCTURERS[cls]
    except KeyError:
        pass
    fields = wire_fields(cls)
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
    cls: type[ModelT], data: Mapping[str, Any], path: JsonPath, issues: list[Issue]
) -> ModelT:
    """Build *cls* from *data*, appending problems to *issues* with their paths."""
    result: ModelT = structurer(cls)(data, path, issues)
    return result


def unstructure(model: Model) -> dict[str, Any]:
    """Return the JSON mapping *model* stands for."""
    return unstructurer(type(model))(model)
