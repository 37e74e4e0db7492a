"""
Events and issues as Arrow tables, with a documented, stable schema.

Theory of operation
-------------------
One row per event. The envelope's scalar fields are typed columns named as
`elbtrail.Event`'s attributes; nested parts (``requestParameters``,
``userIdentity``, ...) are JSON text; columns people filter on (the caller,
the ELB action and the resources it touched) are derived from the typed
event and are there for queries only.

The round trip is exact because a column is trusted only where it gives back
the record's own value: a key whose value a column cannot hold as it was
read (a time in another spelling, a value of the wrong type, a key elbtrail
does not know) goes verbatim into ``other_fields``, a JSON object laid over
the columns by `from_arrow`, and a key the record lacks where a column's
null would otherwise put one is named in ``absent_fields``.

pyarrow is imported on first use, so ``import elbtrail`` does not need it.
"""

from __future__ import annotations

import enum
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ._actions import Api
from ._decoders import holds
from ._event import Event, parse_event
from ._issues import Issue
from ._touched import touched_resources

if TYPE_CHECKING:
    import pyarrow as pa

orjson: Any
try:
    import orjson
except ImportError:  # pragma: no cover - exercised by the pure-Python test run
    orjson = None

# datetime.UTC is Python 3.11+.
UTC = timezone.utc  # noqa: UP017, RUF100
__all__ = [
    "BATCH_ROWS",
    "Located",
    "event_batches",
    "event_schema",
    "file_to_arrow",
    "from_arrow",
    "issue_schema",
    "issues_to_arrow",
    "pyarrow",
    "to_arrow",
]

#: Rows per record batch: large enough for columnar speed, small enough that
#: the Python objects of a batch being filled stay a few megabytes.
BATCH_ROWS = 1024

#: An event with where it was read: (event, source, record index in source,
#: the record itself). A reader has the record at hand, which spares
#: rebuilding it with ``to_dict()`` (they are equal: the model is lossless).
Located = tuple[Event, str | None, int | None, dict[str, Any] | None]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_API_NAMES = {Api.CLASSIC: "classic", Api.V2: "v2"}


def pyarrow() -> Any:
    """Import pyarrow, or say which extra installs it."""
    try:
        import pyarrow as pa  # noqa: PLC0415 - an optional extra, loaded on use
    except ImportError as error:
        msg = (
            "elbtrail's Arrow and Parquet support needs pyarrow, which is not "
            "installed: pip install 'elbtrail[arrow]'"
        )
        raise ModuleNotFoundError(msg, name="pyarrow") from error
    return pa


# -- the schema --------------------------------------------------------------------

# Envelope keys held by typed columns: (column, wire key, kind). A kind is
# "str", "bool", "time" or "flag" (a boolean CloudTrail writes as a string).
_SCALARS: tuple[tuple[str, str, str], ...] = (
    ("event_time", "eventTime", "time"),
    ("event_version", "eventVersion", "str"),
    ("event_source", "eventSource", "str"),
    ("event_name", "eventName", "str"),
    ("aws_region", "awsRegion", "str"),
    ("recipient_account_id", "recipientAccountId", "str"),
    ("source_ip_address", "sourceIPAddress", "str"),
    ("user_agent", "userAgent", "str"),
    ("error_code", "errorCode", "str"),
    ("error_message", "errorMessage", "str"),
    ("request_id", "requestID", "str"),
    ("event_id", "eventID", "str"),
    ("read_only", "readOnly", "bool"),
    ("event_type", "eventType", "str"),
    ("api_version", "apiVersion", "str"),
    ("management_event", "managementEvent", "bool"),
    ("shared_event_id", "sharedEventID", "str"),
    ("vpc_endpoint_id", "vpcEndpointId", "str"),
    ("vpc_endpoint_account_id", "vpcEndpointAccountId", "str"),
    ("event_category", "eventCategory", "str"),
    ("session_credential_from_console", "sessionCredentialFromConsole", "flag"),
    ("annotation", "annotation", "str"),
)

# Nested parts held as JSON text: (column, wire key).
_JSON: tuple[tuple[str, str], ...] = (
    ("request_parameters", "requestParameters"),
    ("response_elements", "responseElements"),
    ("user_identity", "userIdentity"),
    ("resources", "resources"),
    ("additional_event_data", "additionalEventData"),
    ("service_event_details", "serviceEventDetails"),
    ("addendum", "addendum"),
    ("tls_details", "tlsDetails"),
    ("edge_device_details", "edgeDeviceDetails"),
    ("insight_details", "insightDetails"),
    ("event_context", "eventContext"),
)

# JSON columns whose null is a JSON null, as CloudTrail writes these two keys
# in every record; for the others a null column means the key is absent.
_NULL_IS_JSON_NULL = frozenset({"requestParameters", "responseElements"})

# Derived from userIdentity, for filtering: (column, kind).
_IDENTITY: tuple[tuple[str, str], ...] = (
    ("user_identity_type", "str"),
    ("user_identity_principal_id", "str"),
    ("user_identity_arn", "str"),
    ("user_identity_account_id", "str"),
    ("user_identity_access_key_id", "str"),
    ("user_identity_user_name", "str"),
    ("user_identity_invoked_by", "str"),
    ("principal", "str"),
    ("session_issuer_type", "str"),
    ("session_issuer_arn", "str"),
    ("session_issuer_user_name", "str"),
    ("session_issuer_account_id", "str"),
    ("mfa_authenticated", "bool"),
)

# The resources an ELB call touched, derived from its typed parameters and
# response: (column, kind of touched resource, attribute taken).
_TOUCHED: tuple[tuple[str, str, str], ...] = (
    ("load_balancer_names", "load-balancer", "name"),
    ("load_balancer_arns", "load-balancer", "arn"),
    ("listener_arns", "listener", "arn"),
    ("target_group_arns", "target-group", "arn"),
    ("rule_arns", "rule", "arn"),
    ("target_ids", "target", "name"),
)


def event_schema() -> pa.Schema:
    """
    Return the schema of `to_arrow()`'s tables.

    Columns are only ever added to it, at the end, in later releases.
    """
    pa = pyarrow()
    types = {"str": pa.string(), "bool": pa.bool_(), "flag": pa.bool_()}
    fields = [
        pa.field(
            name,
            pa.timestamp("ms", tz="UTC") if kind == "time" else types[kind],
        )
        for name, _, kind in _SCALARS[:1]
    ]
    fields += [
        pa.field("event_name", pa.string()),
        pa.field("api", pa.string()),
        pa.field("action", pa.string()),
    ]
    fields += [
        pa.field(name, types[kind])
        for name, _, kind in _SCALARS[1:]
        if name != "event_name"
    ]
    fields += [pa.field(name, types[kind]) for name, kind in _IDENTITY]
    fields += [pa.field(name, pa.list_(pa.string())) for name, _, _ in _TOUCHED]
    fields += [pa.field(name, pa.string()) for name, _ in _JSON]
    fields += [
        pa.field("other_fields", pa.string()),
        pa.field("absent_fields", pa.list_(pa.string())),
        pa.field("source", pa.string()),
        pa.field("record_index", pa.int64()),
    ]
    return pa.schema(fields)


def issue_schema() -> pa.Schema:
    """Return the schema of `issues_to_arrow()`'s tables."""
    pa = pyarrow()
    return pa.schema(
        [
            pa.field("severity", pa.string()),
            pa.field("code", pa.string()),
            pa.field("message", pa.string()),
            pa.field("source", pa.string()),
            pa.field("record", pa.int64()),
            pa.field("path", pa.string()),
            pa.field("line", pa.int64()),
            pa.field("column", pa.int64()),
            pa.field("action", pa.string()),
        ]
    )


# -- values in and out of columns ---------------------------------------------------


def _text(value: str) -> str | None:
    """*value* if Arrow can hold it (valid UTF-8), else ``None``."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a JSON escape
        return None
    return value


def _readable(value: object) -> str | None:
    """A derived string for a query column, made valid UTF-8 if it is not."""
    if value.__class__ is not str:
        return None
    assert isinstance(value, str)
    text = _text(value)
    if text is None:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _millis(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MS


def _wire_time(millis: int) -> str:
    """The envelope spelling of a time held in milliseconds."""
    value = _EPOCH + millis * _MS
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    fraction = value.microsecond // 1000
    return f"{text}.{fraction:03d}Z" if fraction else f"{text}Z"


def _dumps(value: Any) -> str:
    """JSON text that loads back to *value*, as valid UTF-8."""
    if orjson is not None:
        try:
            data: bytes = orjson.dumps(value)
        except TypeError:  # integers beyond 64 bits, lone surrogates, deep nesting
            pass
        else:
            # orjson writes infinities as null; the standard library keeps them.
            if b"null" not in data or not _has_nonfinite(value):
                return data.decode("utf-8")
    try:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    except RecursionError:
        return _dumps_deep(value)


class _Raw(str):
    """Text already encoded, on `_dumps_deep`'s stack."""

    __slots__ = ()


def _dumps_deep(value: Any) -> str:
    """JSON text of a value nested deeper than the standard library recurses."""
    parts: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is _Raw:
            parts.append(item)
        elif cls is dict and item:
            parts.append("{")
            stack.append(_Raw("}"))
            entries = list(item.items())
            for position in range(len(entries) - 1, -1, -1):
                key, member = entries[position]
                stack.append(member)
                head = json.dumps(key, ensure_ascii=True) + ":"
                stack.append(_Raw("," + head if position else head))
        elif cls is list and item:
            parts.append("[")
            stack.append(_Raw("]"))
            for position in range(len(item) - 1, -1, -1):
                stack.append(item[position])
                if position:
                    stack.append(_Raw(","))
        else:
            parts.append(json.dumps(item, ensure_ascii=True))
    return "".join(parts)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        # Deeper than Python's recursion limit, as the readers accept through
        # orjson; orjson reads it back (and the standard library wrote no
        # number that orjson cannot read at that depth).
        if orjson is None:  # pragma: no cover - orjson wrote nothing this deep
            raise
        return orjson.loads(text)


def _has_nonfinite(value: Any) -> bool:
    return holds(value, _nonfinite)


def _nonfinite(value: Any) -> bool:
    return value.__class__ is float and (
        value != value or value in (float("inf"), float("-inf"))  # noqa: PLR0124 - NaN
    )


# -- events to columns --------------------------------------------------------------


class _Columns:
    """Column lists being filled, one row at a time."""

    def __init__(self) -> None:
        names = event_schema().names
        self.data: dict[str, list[Any]] = {name: [] for name in names}
        self.order = [(name, self.data[name].append) for name in names]

    def add(
        self,
        event: Event,
        source: str | None,
        index: int | None,
        record: dict[str, Any] | None,
    ) -> None:
        if record is None:
            record = event.to_dict()
        cells: dict[str, Any] = {"source": source, "record_index": index}
        other: dict[str, Any] = {}
        for key, value in record.items():
            spec = _BY_KEY.get(key)
            if spec is None:
                other[key] = value
                continue
            name, kind = spec
            if kind == "str":
                if value.__class__ is str and (value.isascii() or _text(value)):
                    cells[name] = value
                else:
                    other[key] = value
            elif kind == "json":
                if value is not None or key not in _NULL_IS_JSON_NULL:
                    cells[name] = _dumps(value)
            elif kind == "bool":
                if value.__class__ is bool:
                    cells[name] = value
                else:
                    other[key] = value
            elif kind == "flag":
                flag = _FLAGS.get(value) if value.__class__ is str else None
                if flag is None:
                    other[key] = value
                cells[name] = flag
            else:
                when = event.event_time
                if when is not None and value.__class__ is str:
                    cells[name] = millis = _millis(when)
                    if _wire_time(millis) != value:
                        other[key] = value
                else:
                    other[key] = value
        if other:
            cells["other_fields"] = _dumps(other)
        if "requestParameters" not in record or "responseElements" not in record:
            cells["absent_fields"] = [
                key for key in _NULL_IS_JSON_NULL_ORDER if key not in record
            ]
        self._derived(event, cells)
        for name, append in self.order:
            append(cells.get(name))

    def _derived(self, event: Event, cells: dict[str, Any]) -> None:
        action = event.action
        if action is not None:
            cells["api"] = _API_NAMES[action.api]
            cells["action"] = action.name
        identity = event.user_identity
        if identity is not None:
            context = identity.session_context
            issuer = context.session_issuer if context is not None else None
            for name, value in (
                ("user_identity_type", identity.type),
                ("user_identity_principal_id", identity.principal_id),
                ("user_identity_arn", identity.arn),
                ("user_identity_account_id", identity.account_id),
                ("user_identity_access_key_id", identity.access_key_id),
                ("user_identity_user_name", identity.user_name),
                ("user_identity_invoked_by", identity.invoked_by),
                ("principal", identity.principal),
            ):
                if value is not None:
                    cells[name] = _readable(value)
            if issuer is not None:
                for name, value in (
                    ("session_issuer_type", issuer.type),
                    ("session_issuer_arn", issuer.arn),
                    ("session_issuer_user_name", issuer.user_name),
                    ("session_issuer_account_id", issuer.account_id),
                ):
                    if value is not None:
                        cells[name] = _readable(value)
            cells["mfa_authenticated"] = identity.mfa_authenticated
        try:
            touched = touched_resources(event)
        except RecursionError:
            # Parameters nested deeper than the walk can follow: the columns
            # for queries stay empty rather than the whole table failing.
            touched = ()
        for resource in touched:
            for name, attribute in _TOUCHED_BY_KIND.get(resource.kind.value, ()):
                value = _readable(getattr(resource, attribute))
                if value is not None:
                    cells.setdefault(name, []).append(value)

    def batch(self) -> pa.RecordBatch:
        pa = pyarrow()
        schema = event_schema()
        arrays = [pa.array(self.data[field.name], type=field.type) for field in schema]
        return pa.RecordBatch.from_arrays(arrays, schema=schema)


_FLAGS = {"true": True, "false": False}
_BY_KEY: dict[str, tuple[str, str]] = {
    **{key: (name, kind) for name, key, kind in _SCALARS},
    **{key: (name, "json") for name, key in _JSON},
}
_NULL_IS_JSON_NULL_ORDER = ("requestParameters", "responseElements")
_TOUCHED_BY_KIND: dict[str, list[tuple[str, str]]] = {}
for _name, _kind, _attribute in _TOUCHED:
    _TOUCHED_BY_KIND.setdefault(_kind, []).append((_name, _attribute))


def event_batches(
    located: Iterable[Located], rows: int = BATCH_ROWS
) -> Iterator[pa.RecordBatch]:
    """Record batches of at most *rows* rows, as *located* is read."""
    columns = _Columns()
    count = 0
    for event, source, index, record in located:
        columns.add(event, source, index, record)
        count += 1
        if count == rows:
            yield columns.batch()
            columns = _Columns()
            count = 0
    if count:
        yield columns.batch()


def to_arrow(events: Iterable[Event]) -> pa.Table:
    """
    Return the events as an Arrow table, one row per event.

    The columns are described in the documentation's analysis page; in short:
    the envelope as typed columns named as `Event`'s attributes
    (``event_time`` is ``timestamp[ms, tz=UTC]``), the caller flattened
    (``user_identity_arn``, ``session_issuer_arn``, ``mfa_authenticated``,
    ...), the ELB ``api`` and ``action`` and the resources the call touched,
    the nested parts as JSON text, and ``other_fields`` and
    ``absent_fields``, which make the table lossless: `from_arrow()` gives
    back events whose ``to_dict()`` equals the records read. ``source`` and
    ``record_index`` are null here; `write_parquet()` and
    ``elbtrail.dask`` fill them in, since they read the files.

    Args:
        events: Events, for example a `LogResult` or an `EventStream`.

    Returns:
        A ``pyarrow.Table`` with the schema of every release to come (columns
        are only ever added at the end).

    Raises:
        ModuleNotFoundError: If pyarrow is not installed (the ``arrow`` extra).

    Added in version 0.1.0.
    """
    pa = pyarrow()
    batches = list(event_batches((event, None, None, None) for event in events))
    return pa.Table.from_batches(batches, schema=event_schema())


def _time_wire(value: datetime) -> str:
    return _wire_time(_millis(value))


_FROM_SCALAR: dict[str, Callable[[Any], Any]] = {
    "str": lambda v: v,
    "bool": lambda v: v,
    "flag": lambda v: "true" if v else "false",
    "time": _time_wire,
}


def _records(table: pa.Table | pa.RecordBatch) -> Iterator[dict[str, Any]]:
    names = set(table.schema.names)
    missing = {name for name, _, _ in _SCALARS} | {name for name, _ in _JSON}
    missing -= names
    if missing or "other_fields" not in names:
        msg = (
            "not a table of elbtrail events: it lacks the columns "
            f"{sorted(missing | ({'other_fields'} - names))}"
        )
        raise ValueError(msg)
    absent_column = "absent_fields" in names
    for row in table.to_pylist():
        record: dict[str, Any] = {}
        for name, key, kind in _SCALARS:
            value = row[name]
            if value is not None:
                record[key] = _FROM_SCALAR[kind](value)
        for name, key in _JSON:
            text = row[name]
            if text is not None:
                record[key] = _loads(text)
            elif key in _NULL_IS_JSON_NULL:
                record[key] = None
        if row["other_fields"] is not None:
            record.update(_loads(row["other_fields"]))
        for key in (row["absent_fields"] or ()) if absent_column else ():
            record.pop(key, None)
        yield record


def from_arrow(table: pa.Table | pa.RecordBatch) -> list[Event]:
    """
    Return the events of a table `to_arrow()` made (or Parquet it wrote).

    Each event is parsed again from the record the row holds, so its
    ``to_dict()`` equals the record first read, and its ``issues`` are those
    of parsing it (without the source file, which the row has in ``source``).
    Derived columns are not read; the table may have been filtered, sorted,
    or had columns added.

    Args:
        table: A ``pyarrow.Table`` or ``RecordBatch`` with `to_arrow()`'s
            columns.

    Returns:
        The events, in the table's row order.

    Raises:
        ValueError: If the table lacks columns that hold the records.

    Added in version 0.1.0.
    """
    return [parse_event(record) for record in _records(table)]


def file_to_arrow(
    data: bytes,
    source: str,
    *,
    elb_only: bool = True,
    dedupe: bool = False,
) -> tuple[pa.Table, pa.Table]:
    """
    Read one log file's bytes into a table of events and a table of issues.

    The building block for running elbtrail inside another engine: Dask
    tasks, or PySpark's ``mapInArrow`` over ``binaryFile`` (the analysis
    page shows how). It needs only the bytes and a name, so it runs wherever
    the file's content is.

    Args:
        data: The file's content, gzipped or not, in any shape `loads()`
            reads.
        source: The file's name or key, for the ``source`` column and issues.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered a second time within the file.

    Returns:
        ``(events, issues)``: `to_arrow()`'s columns, with ``source`` and
        ``record_index`` filled in, and `issues_to_arrow()`'s.

    Raises:
        ModuleNotFoundError: If pyarrow is not installed (the ``arrow`` extra).

    Added in version 0.1.0.
    """
    from ._located import iter_located  # noqa: PLC0415 - imports the readers

    pa = pyarrow()
    stream = io.BytesIO(data)
    stream.name = source
    issues: list[Issue] = []
    located = iter_located(
        stream, elb_only=elb_only, dedupe=dedupe, on_issue=issues.append
    )
    events = pa.Table.from_batches(list(event_batches(located)), schema=event_schema())
    return events, issues_to_arrow(issues)


def issues_to_arrow(issues: Iterable[Issue]) -> pa.Table:
    """
    Return issues as an Arrow table, one row per issue.

    Columns: ``severity`` (``error``, ``warning`` or ``notice``), ``code``,
    ``message``, ``source``, ``record``, ``path``, ``line``, ``column`` and
    ``action``, as the attributes of `Issue`.

    Raises:
        ModuleNotFoundError: If pyarrow is not installed (the ``arrow`` extra).

    Added in version 0.1.0.
    """
    pa = pyarrow()
    schema = issue_schema()
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for issue in issues:
        columns["severity"].append(issue.severity.value)
        for name in schema.names[1:]:
            value = getattr(issue, name)
            if isinstance(value, enum.Enum):  # IssueCode: its text
                value = value.value
            columns[name].append(_readable(value) if isinstance(value, str) else value)
    return pa.Table.from_pydict(columns, schema=schema)
