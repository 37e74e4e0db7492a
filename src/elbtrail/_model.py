"""
The base of every typed CloudTrail model, and the code that moves data in and out.

Theory of operation
-------------------
Every model is a frozen attrs class deriving from `Model`. Its fields are
annotated with the Python types a user sees (``int | None``,
``tuple[Listener, ...] | None``, ``ProtocolEnum | str | None``,
``datetime | None``); its wire keys are the field names in lower camel case
unless `key()` names them (``dNSName``, ``sSLCertificateId``).

From those annotations this module derives, once per class and on first use
(under a lock, so threads that meet a class together compile it once), two
functions: one that builds an instance from a JSON mapping in one pass over
its items, driven by lookup tables, and one (generated Python) that turns an
instance back into that mapping. Nothing is reflected on in the hot loop,
which keeps the cost of typing low (docs/performance.md has the numbers).

The building function fills the instance's ``__dict__`` directly, with every
field, in field order: exactly the state attrs' ``__init__`` would leave.
It does so only for classes whose ``__init__`` would do nothing more than
store the values (no validators, converters, factories or hooks of their
own); any other class, a user's subclass with a validator for example, is
built by calling its ``__init__``.

Three rules make the round trip lossless:

1. keys a model does not know are kept verbatim in ``extra``;
2. a value of the wrong type leaves its field ``None``, is reported as an
   `Issue` with its JSON path, and is kept in ``verbatim``;
3. a value that was typed from another spelling (``"true"`` for a boolean,
   ``"Apr 11, 2016 5:23:50 PM"`` for a time, an explicit ``null``) is kept
   in ``verbatim`` too, and printed back for as long as the field keeps the
   value read from it.

Both mappings are fields, so equality, hashing, ``attrs.evolve`` and pickling
see them: two models are equal exactly when they print the same mapping.
"""

from __future__ import annotations

import contextvars
import enum
import itertools
import linecache
import operator
import reprlib
import threading
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import attrs

from ._issues import Issue, ParseError, Severity
from ._timestamps import (
    format_canonical,
    is_canonical,
    parse_canonical,
    parse_timestamp,
)

if TYPE_CHECKING:
    # Python 3.11's typing.Self, for type checkers only.
    from typing_extensions import Self

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
    "StrEnum",
    "build_input",
    "copy_input",
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


class StrEnum(str, enum.Enum):
    """
    An enum whose members are strings, printed as their values.

    ``enum.StrEnum`` from Python 3.11, on every supported Python.
    """

    __str__ = str.__str__

    def __format__(self, format_spec: str) -> str:
        """Format the value, as a `str` would."""
        return str.__format__(self.value, format_spec)


class _FrozenDict(dict[str, Any]):
    """A `dict` that refuses changes: for mappings several models share."""

    def _refuse(self, *_args: object, **_kwargs: object) -> NoReturn:
        msg = "this mapping belongs to a frozen model and cannot be changed"
        raise TypeError(msg)

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[_FrozenDict], tuple[dict[str, Any]]]:
        """Pickle as a plain copy of the items."""
        return (type(self), (dict(self),))


#: The shared, immutable empty mapping for models without unknown keys.
EMPTY: Mapping[str, Any] = _FrozenDict()


def key(name: str) -> Any:
    """Declare an optional field whose wire key is *name* (``"dNSName"``)."""
    return attrs.field(default=None, metadata={KEY: name})


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class Model:
    """
    Base class of every typed CloudTrail model.

    Attributes:
        extra: Keys this model does not know (new fields AWS adds), verbatim.
        verbatim: Values of known keys that the typed attributes cannot give
            back as they were read, by wire key: explicit ``null``, values of
            the wrong type (the attribute is then ``None``) and other spellings
            (``"true"`` for ``True``, a Java-style time). `to_dict()` prints
            them for as long as the attribute keeps the value read from them;
            entries that no longer match their attribute are dropped when an
            instance is built, by `attrs.evolve` for example.

    Added in version 0.1.0.
    """

    extra: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False, hash=False)
    verbatim: Mapping[str, Any] = attrs.field(default=EMPTY, repr=False, hash=False)

    # Equality is written once here, not generated by attrs for each of the
    # hundreds of model classes: generating it took a fifth of the time to
    # import them. It compares what attrs would compare: the fields with
    # ``eq``, of two instances of the same class; the hash, those with ``hash``.
    def __eq__(self, other: object) -> bool:
        """Whether *other* is of the same class, with equal fields."""
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = _comparison(self.__class__)[0]
        # Field by field, as attrs does: no shortcut for the same object, so
        # a NaN field makes a model unequal even to itself.
        return all(map(operator.eq, values(self), values(other)))

    def __hash__(self) -> int:
        """A hash of the class and the hashed fields, equal for equal models."""
        return hash((self.__class__, _comparison(self.__class__)[1](self)))

    def __attrs_post_init__(self) -> None:
        """Keep only the ``verbatim`` entries that still match their attribute."""
        if self.verbatim:
            object.__setattr__(self, "verbatim", _checked_verbatim(self))

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
        read, unknown keys, nulls and wrongly typed values included. It is a
        new mapping each time: changing it does not change the model.
        """
        return unstructure(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, strict: bool = False) -> Self:
        """
        Build the model from a JSON mapping in CloudTrail's casing.

        The model keeps copies of the values it does not type: changing
        *data* afterwards does not change it.

        Args:
            data: The mapping, for example a record's ``requestParameters``.
            strict: Raise instead of keeping wrongly typed values.

        Raises:
            elbtrail.ParseError: In strict mode, when a value has the wrong type.
            TypeError: If *data* is not a mapping.
        """
        if not isinstance(data, Mapping):
            got = type(data).__name__
            msg = f"{cls.__qualname__}.from_dict() takes a mapping, got {got}"
            raise TypeError(msg)
        issues: list[Issue] = []
        result = build_input(
            lambda copied: structure(cls, copied, "", issues), dict(data)
        )
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

_Values = Callable[[Any], Any]
_COMPARISONS: dict[type, tuple[_Values, _Values]] = {}


def _comparison(cls: type) -> tuple[_Values, _Values]:
    """The values of a model that its equality compares, and that it hashes."""
    try:
        return _COMPARISONS[cls]
    except KeyError:
        pass
    fields = attrs.fields(cls)
    compared = [a for a in fields if a.eq]
    hashed = [a for a in fields if (a.eq if a.hash is None else a.hash)]
    result = (_getter(compared), _getter(hashed))
    _COMPARISONS[cls] = result
    return result


def _getter(fields: list[attrs.Attribute[Any]]) -> _Values:
    # attrs' stubs leave out eq_key, the key function of a field's equality.
    keys = [getattr(a, "eq_key", None) for a in fields]
    if any(key is not None for key in keys):
        keyed = [(a.name, key) for a, key in zip(fields, keys, strict=True)]
        return lambda o: tuple(
            getattr(o, name) if key is None else key(getattr(o, name))
            for name, key in keyed
        )
    if len(fields) == 1:
        name = fields[0].name
        return lambda o: (getattr(o, name),)
    if not fields:
        return lambda _: ()
    return operator.attrgetter(*(a.name for a in fields))


# Compiling a class's functions happens once, on first use, possibly in many
# threads at once: one lock serialises it. Reentrant, because compiling a
# class compiles the classes of its fields.
_COMPILE = threading.RLock()

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


# Bounded in depth and length: a wrong value may be a huge or deeply nested one.
_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 50
_REPR.maxother = 50


class Issues(list[Issue]):
    """
    The issues of one record's structuring, and the raw JSON it kept.

    Models nest only as deep as their shapes do; a record can nest deeper
    only through a JSON object or list kept as it was read (an unknown key,
    a value of the wrong type, an untyped field). The readers measure the
    depth of those values only, where `kept` lists them.
    """

    #: The objects and lists kept as they were read, with their JSON paths.
    kept: list[tuple[Any, JsonPath]] | None = None


def note_kept(value: Any, path: JsonPath, issues: list[Issue]) -> None:
    """Note in *issues* that *value*, at *path*, is kept as it was read."""
    if (value.__class__ is dict or value.__class__ is list) and isinstance(
        issues, Issues
    ):
        if issues.kept is None:
            issues.kept = [(value, path)]
        else:
            issues.kept.append((value, path))


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
    return _deep_copy(value)[0]


def copy_input(value: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """
    Copy a caller's mapping deeply; tell whether it holds only JSON's types.

    A mapping built in Python may hold values no decoder makes (an
    ``IntEnum``, a ``str`` subclass, a ``datetime``); such input is built
    without sharing parts between events, whose keys are exact for JSON's
    types only (see the interning below).
    """
    copied: dict[str, Any]
    copied, pure = _deep_copy(value)
    return copied, pure


_JSON_LEAVES = frozenset({str, int, float, bool, type(None)})


def _deep_copy(value: dict[str, Any] | list[Any]) -> tuple[Any, bool]:
    """Copy a list or mapping deeply; tell whether its leaves are JSON's types."""
    root: Any = {} if value.__class__ is dict else []
    pure = True
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if source.__class__ is dict else enumerate(source)
        for key, item in items:
            kind = item.__class__
            copied = item
            if kind is dict or kind is list:
                copied = {} if kind is dict else []
                stack.append((item, copied))
            elif kind not in _JSON_LEAVES:
                pure = False
            if target.__class__ is dict:
                target[key] = copied
            else:
                target.append(copied)
    return root, pure


# Set while input with values of other than JSON's types is built.
_UNSHARED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "elbtrail_unshared", default=False
)


def build_input(
    function: Callable[[dict[str, Any]], ModelT], data: dict[str, Any]
) -> ModelT:
    """Call *function* on a copy of a caller's *data*, sharing only when exact."""
    copied, pure = copy_input(data)
    if pure:
        return function(copied)
    token = _UNSHARED.set(True)
    try:
        return function(copied)
    finally:
        _UNSHARED.reset(token)


def _same(typed: Any, current: Any) -> bool:
    return typed is current or (type(typed) is type(current) and typed == current)


class _Bad:
    """Marks a value of the wrong type, already reported."""


_BAD = _Bad()
#: What a structuring hook returns for a value of the wrong type (reported).
BAD: Any = _BAD


class _Keep:
    """A typed value read from another spelling, which must be remembered."""

    # A plain class: one is made for every such value, on the hot path.
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


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
        # An empty object (``"webIdFederationData": {}``) is one shared,
        # immutable instance, where building it gives no issue.
        empty: list[Any] = []

        def nested(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            if value.__class__ is dict:
                if value or _UNSHARED.get():
                    return build(value, path, issues)
                if not empty:
                    scratch: list[Issue] = []
                    made = build(value, path, scratch)
                    if scratch or not _share(made):
                        issues.extend(scratch)
                        return made
                    empty.append(made)
                return empty[0]
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
                note_kept(value, path, issues)
                return value
            _wrong(issues, path, expected, value)
            return _BAD

        return obj
    if tag == "ts":
        # Records of one file share their seconds; datetimes are immutable.
        # Times in the envelope's own form format back to the same text and
        # need no remembered spelling; others (Java's "Apr 11, 2016 5:23:50
        # PM" in responses) are remembered apart, as they must be kept.
        recent: dict[str, datetime] = {}
        recent_get = recent.get
        spelled: dict[str, datetime] = {}
        spelled_get = spelled.get

        def time(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
            parsed: datetime | None
            if value.__class__ is str:
                parsed = recent_get(value)
                if parsed is not None:
                    return parsed
                if is_canonical(value):
                    try:
                        parsed = parse_canonical(value)
                    except ValueError:
                        pass
                    else:
                        if len(recent) >= _RECENT_TIMES:
                            recent.clear()
                        recent[value] = parsed
                        return parsed
                parsed = spelled_get(value)
                if parsed is None:
                    parsed = parse_timestamp(value)
                    # Fractions of any length parse: a long text is not kept.
                    if parsed is not None and len(value) <= _SPELLED_LONGEST:
                        if len(spelled) >= _RECENT_TIMES:
                            spelled.clear()
                        spelled[value] = parsed
            else:
                parsed = parse_timestamp(value)
            if parsed is not None:
                return _Keep(parsed)
            _wrong(issues, path, expected, value)
            return _BAD

        return time

    def anything(value: Any, path: JsonPath, issues: list[Issue]) -> Any:
        note_kept(value, path, issues)
        return value

    return anything


# Endless repeats of the markers, to compare a converted list with by identity.
_BADS = itertools.repeat(_BAD)
_KEEPS = itertools.repeat(_Keep)

#: Times each time field remembers, from their text.
_RECENT_TIMES = 4096
#: The longest text of a time in another form that is remembered.
_SPELLED_LONGEST = 48


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
        # Scanned in C, by identity: most lists hold only values typed as they were.
        if any(map(operator.is_, out, _BADS)):
            return _BAD
        if any(map(operator.is_, map(type, out), _KEEPS)):
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
        if any(map(operator.is_, out.values(), _BADS)):
            return _BAD
        if any(map(operator.is_, map(type, out.values()), _KEEPS)):
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
_Unstructurer = Callable[[Any], dict[str, Any]]
# Finished functions only: read without the lock. Functions still being
# compiled are in _PENDING, which only the compiling thread looks at.
_STRUCTURERS: dict[type, _Structurer] = {}
_CONCRETE: dict[type, _Structurer] = {}
_PENDING: dict[type, _Structurer] = {}
_UNSTRUCTURERS: dict[type, _Unstructurer] = {}
_VERBATIM_RULES: dict[type, Mapping[str, tuple[str, _Conv | None]]] = {}
_SHARE_RULES: dict[type, tuple[tuple[str, str], ...]] = {}


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
        if attribute.name in ("extra", "verbatim") or attribute.metadata.get(SKIP):
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
    with _COMPILE:
        if cls in _STRUCTURERS:
            return _STRUCTURERS[cls]
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


def _concrete_structurer(cls: type[Model]) -> _Structurer:
    try:
        return _CONCRETE[cls]
    except KeyError:
        pass
    with _COMPILE:
        if cls in _CONCRETE:
            return _CONCRETE[cls]
        if cls in _PENDING:
            # A recursive shape, met again while its own fields compile: by
            # the time this runs on data, the class is finished.
            return _PENDING[cls]
        _PENDING[cls] = lambda d, p, i: _CONCRETE[cls](d, p, i)  # noqa: PLW0108 - late lookup
        try:
            function = _build_structurer(cls)
        finally:
            del _PENDING[cls]
        _CONCRETE[cls] = function
        return function


def _builds_like_init(cls: type[Model]) -> bool:
    """
    Whether storing the values in ``__dict__`` is all ``__init__`` would do.

    True for every elbtrail model; false for a class with a validator, a
    converter, a factory, an ``on_setattr`` hook, slots, initialisation hooks
    or an ``__init__`` of its own, which is then built through ``__init__``.
    """
    if getattr(cls, "__attrs_pre_init__", None) is not None:
        return False
    # An __init__ written by hand, or fields kept in slots, rather than in
    # the __dict__ this fills.
    code = getattr(cls.__init__, "__code__", None)
    if code is None or not code.co_filename.startswith("<attrs generated "):
        return False
    if any(vars(k).get("__slots__") for k in cls.__mro__):
        return False
    if cls.__attrs_post_init__ is not Model.__attrs_post_init__:
        return False
    for attribute in attrs.fields(cls):
        if (
            attribute.validator is not None
            or attribute.converter is not None
            or attribute.on_setattr not in (None, attrs.setters.NO_OP)
            or isinstance(attribute.default, attrs.Factory)  # type: ignore[arg-type]
            or (not attribute.init and attribute.default is attrs.NOTHING)
        ):
            return False
    return True


def _build_structurer(cls: type[Model]) -> _Structurer:
    """
    Build the structuring function of *cls* from its fields.

    One loop over the mapping's items, with one table lookup a key: strings,
    integers and booleans of the right type (most values) are stored as
    they are; other kinds go through their converter; unknown keys are
    collected in ``extra``.
    """
    fields = wire_fields(cls)
    # wire key -> (attribute, the exact type stored as is or None, the
    # converter, whether the converter is a hook that takes the whole mapping)
    specs: dict[str, tuple[str, type | None, Callable[..., Any], bool]] = {}
    for field in fields:
        if field.hook is not None:
            specs[field.wire] = (field.name, None, field.hook[0], True)
            continue
        assert field.kind is not None
        plain = _PLAIN_TYPES.get(field.kind.tag)
        specs[field.wire] = (
            field.name,
            plain,
            _element_converter(field.kind),
            False,
        )
    attributes = attrs.fields(cls)
    if _builds_like_init(cls):
        # Every field, in field order, with its default: what __init__ leaves.
        defaults = {a.name: a.default for a in attributes}
        make = None
    else:
        defaults = {}
        aliases = {a.name: a.alias for a in attributes if a.init}

        def make(values: dict[str, Any]) -> Any:
            return cls(**{aliases[k]: v for k, v in values.items() if k in aliases})

    copy_defaults = defaults.copy
    new = object.__new__
    set_dict = object.__setattr__

    def structure(data: Mapping[str, Any], path: JsonPath, issues: list[Issue]) -> Any:
        values = copy_defaults()
        verbatim: dict[str, Any] | None = None
        extra: dict[str, Any] | None = None
        for key, value in data.items():
            # A subscript costs less than a call to get(); unknown keys are rare.
            try:
                name, plain, convert, hooked = specs[key]
            except KeyError:
                if key in specs:  # the key's own comparison raised KeyError
                    raise
                if extra is None:
                    extra = {}
                extra[key] = value
                note_kept(value, (path, key), issues)
                continue
            if value.__class__ is plain:
                values[name] = value
                continue
            if value is None:
                if verbatim is None:
                    verbatim = {}
                verbatim[key] = None
                continue
            if hooked:
                typed = convert(value, data, (path, key), issues)
            else:
                typed = convert(value, (path, key), issues)
            if typed is _BAD:
                if verbatim is None:
                    verbatim = {}
                verbatim[key] = value
                note_kept(value, (path, key), issues)
            elif typed.__class__ is _Keep:
                values[name] = typed.value
                if verbatim is None:
                    verbatim = {}
                verbatim[key] = value
            else:
                values[name] = typed
        if extra is not None:
            values["extra"] = extra
        if verbatim is not None:
            values["verbatim"] = verbatim
        if make is not None:
            return make(values)
        instance = new(cls)
        set_dict(instance, "__dict__", values)
        return instance

    return structure


#: The kinds whose values are stored as they are when of exactly this type.
_PLAIN_TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool}


def _checked_verbatim(model: Model) -> Mapping[str, Any]:
    """The entries of ``model.verbatim`` that still match their attribute, copied."""
    rules = _verbatim_rules(type(model))
    scratch: list[Issue] = []
    kept: dict[str, Any] = {}
    for wire, raw in model.verbatim.items():
        rule = rules.get(wire)
        if rule is None:
            continue
        name, convert = rule
        current = getattr(model, name)
        if raw is None or convert is None:
            # A hook field keeps only what it could not build a value from.
            keep = current is None and raw.__class__ is not dict
        else:
            typed = convert(raw, "", scratch)
            if typed is _BAD:
                keep = current is None
            elif typed.__class__ is _Keep:
                keep = _same(typed.value, current)
            else:  # already the form to_dict() prints
                keep = False
        if keep:
            kept[wire] = copy_json(raw)
    return kept or EMPTY


def _verbatim_rules(cls: type[Model]) -> Mapping[str, tuple[str, _Conv | None]]:
    try:
        return _VERBATIM_RULES[cls]
    except KeyError:
        pass
    with _COMPILE:
        rules = {
            f.wire: (f.name, None if f.kind is None else _element_converter(f.kind))
            for f in wire_fields(cls)
        }
        _VERBATIM_RULES[cls] = rules
        return rules


def unstructurer(cls: type[Model]) -> _Unstructurer:
    """Return the compiled ``model -> mapping`` function of *cls*."""
    try:
        return _UNSTRUCTURERS[cls]
    except KeyError:
        pass
    with _COMPILE:
        if cls not in _UNSTRUCTURERS:
            _UNSTRUCTURERS[cls] = _build_unstructurer(cls)
        return _UNSTRUCTURERS[cls]


def _build_unstructurer(cls: type[Model]) -> _Unstructurer:
    fields = wire_fields(cls)
    namespace: dict[str, Any] = {"_copy": copy_json}
    # Two bodies: the common instance has nothing in verbatim, and pays for
    # no lookups in it.
    plain = ["    if not w:"]
    checked = ["    else:"]
    for index, field in enumerate(fields):
        k = repr(field.wire)
        kind = field.kind
        if kind is not None and kind.tag in ("str", "int", "float", "bool"):
            value = "v"
        else:
            if field.hook is not None:
                convert = field.hook[1]
            else:
                assert kind is not None
                convert = _element_unconverter(kind)
            namespace[f"u{index}"] = convert
            value = f"u{index}(v)"
        plain += [
            f"        v = o.{field.name}",
            "        if v is not None:",
            f"            d[{k}] = {value}",
        ]
        checked += [
            f"        v = o.{field.name}",
            f"        if {k} in w:",
            f"            d[{k}] = _copy(w[{k}])",
            "        elif v is not None:",
            f"            d[{k}] = {value}",
        ]
    lines = [
        "def unstructure(o):",
        "    d = {}",
        "    w = o.verbatim",
        *plain,
        *checked,
        "    if o.extra:",
        "        for k, v in o.extra.items():",
        "            d[k] = _copy(v)",
        "    return d",
    ]
    if not fields:
        lines = [line for line in lines if line not in ("    if not w:", "    else:")]
    source = "\n".join(lines) + "\n"
    filename = f"<elbtrail unstructure {cls.__module__}.{cls.__qualname__}>"
    # Registered with linecache, so that tracebacks show the generated code.
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    function: _Unstructurer = namespace["unstructure"]
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


# ---------------------------------------------------------------------------
# Interning: some parts of a record repeat across thousands of records (the
# caller's userIdentity within one session, tlsDetails). One immutable
# instance can stand for every equal occurrence, which saves building them
# again and the memory of the copies.
#
# The table is keyed on orjson's text of the mapping, and a hit counts only
# if the stored mapping also equals the new one. Together they are exact for
# JSON's types: the text tells apart what equality merges (``true`` and
# ``1``, ``1`` and ``1.0``, ``0.0`` and ``-0.0``), equality what the text
# merges (orjson prints NaN and infinities as ``null``). Values orjson cannot
# print (integers beyond 64 bits) are not interned, nor is input holding
# other types than JSON's (see ``build_input``).
# Only clean results are shared (no issue, nothing mutable inside); the table
# is bounded in entries and in bytes of keys, and starts again empty when
# either bound is reached.
#
# A lookup costs the mapping's text, a tenth to a fifth of building an
# identity, and finds a mapping only from its third sighting: where callers
# are new, or come two or three times a file, it is work thrown away. Each
# table counts its hits in windows of lookups; after a window with fewer
# than one hit in four, the next mappings are built without a lookup, then
# the table is tried again.

_INTERN_ENTRIES = 4096
_INTERN_BYTES = 1 << 20
#: Larger mappings are built each time: they are not the repeated kind.
_INTERN_LARGEST = 2048
#: Lookups a table's hits are counted over, and the share of hits that pays.
_INTERN_WINDOW = 256
_INTERN_WORTH = 4
#: Mappings built without a lookup after a window that did not pay.
_INTERN_REST = 4096


class _Pace:
    """
    How one interning table is doing.

    The bytes of its keys, and the lookups and hits of this window.
    """

    __slots__ = ("hits", "lookups", "resting", "size")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start counting again, from an empty table, looking mappings up."""
        self.size = self.lookups = self.hits = self.resting = 0

    def looked_up(self, *, hit: bool) -> None:
        """Count a lookup; at the end of a window, decide whether to rest."""
        self.lookups += 1
        self.hits += hit
        if self.lookups >= _INTERN_WINDOW:
            if self.hits * _INTERN_WORTH < self.lookups:
                self.resting = _INTERN_REST
            self.lookups = self.hits = 0


_dumps: Callable[[Any], bytes] | None
try:
    from orjson import dumps as _dumps
except ImportError:  # pragma: no cover - without the fast extra, no interning
    _dumps = None


#: Every interning table and how it is doing, so that tests can check them.
_INTERN_TABLES: list[dict[bytes, Any]] = []
_INTERN_PACES: list[_Pace] = []


def _forget_interned() -> None:
    """Empty every interning table and start its counts again (for tests)."""
    for table, pace in zip(_INTERN_TABLES, _INTERN_PACES, strict=True):
        table.clear()
        pace.reset()


# What a table gives for a text it has not seen.
_UNSEEN: Any = object()


def _interning(function: _Structurer) -> _Structurer:
    # text -> the shared result, with the mapping it was built from where the
    # text alone is not exact (it holds null, which NaN and infinities print
    # as); ``None`` for a text seen once: most mappings never come again (a
    # new caller for every record), and are not worth keeping.
    table: dict[bytes, tuple[Mapping[str, Any] | None, Any] | None] = {}
    pace = _Pace()
    with _COMPILE:
        _INTERN_TABLES.append(table)
        _INTERN_PACES.append(pace)
    lock = threading.Lock()
    dumps = _dumps
    assert dumps is not None
    unshared = _UNSHARED.get

    def interned(data: Mapping[str, Any], path: JsonPath, issues: list[Issue]) -> Any:
        if pace.resting > 0:  # threads may race it below zero: that is resting 0
            pace.resting -= 1
            return function(data, path, issues)
        if unshared():
            return function(data, path, issues)
        try:
            text = dumps(data)
        except TypeError:  # integers beyond 64 bits, keys that are not strings
            return function(data, path, issues)
        found = table.get(text, _UNSEEN)
        if found is not None and found is not _UNSEEN:
            kept, result = found
            if kept is None or kept == data:
                pace.looked_up(hit=True)
                return result
        pace.looked_up(hit=False)
        if len(text) > _INTERN_LARGEST:
            return function(data, path, issues)
        before = len(issues)
        result = function(data, path, issues)
        with lock:
            if len(table) >= _INTERN_ENTRIES or pace.size >= _INTERN_BYTES:
                table.clear()
                pace.size = 0
            if found is _UNSEEN:
                table[text] = None
            elif len(issues) == before and _share(result):
                table[text] = (copy_json(data) if b"null" in text else None, result)
            pace.size += len(text)
        return result

    return interned


def _share_rules(cls: type[Model]) -> tuple[tuple[str, str], ...]:
    """The fields of *cls* that can hold models or mutable values."""
    try:
        return _SHARE_RULES[cls]
    except KeyError:
        pass
    rules = []
    for field in wire_fields(cls):
        kind = field.kind
        if kind is None:
            rules.append((field.name, "mutable"))
        elif kind.tag == "model":
            rules.append((field.name, "model"))
        elif kind.tag == "seq" and kind.arg.tag == "model":
            rules.append((field.name, "models"))
        elif kind.tag in ("seq", "map", "object", "any"):
            nested = kind.arg if kind.tag == "seq" else None
            if nested is None or nested.tag not in (*_SCALARS.values(), "enum"):
                rules.append((field.name, "mutable"))
    _SHARE_RULES[cls] = result = tuple(rules)
    return result


def _share(model: Model) -> bool:
    """
    Whether *model* can be shared between events; freeze it if so.

    It can when nothing inside it is mutable: no unknown keys, no plain
    mappings or lists. Its ``verbatim`` mappings become read-only.
    """
    seen: list[Model] = []
    stack = [model]
    while stack:
        current = stack.pop()
        if current.extra:
            return False
        if any(v.__class__ in (dict, list) for v in current.verbatim.values()):
            return False
        for name, rule in _share_rules(type(current)):
            value = getattr(current, name)
            if value is None:
                continue
            if rule == "mutable":
                return False
            if rule == "model":
                stack.append(value)
            else:
                stack.extend(value)
        seen.append(current)
    for current in seen:
        if current.verbatim and current.verbatim.__class__ is not _FrozenDict:
            current.__dict__["verbatim"] = _FrozenDict(current.verbatim)
    return True
