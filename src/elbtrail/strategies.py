"""
Hypothesis strategies for CloudTrail records of ELB calls, valid and damaged.

Use them to property-test your own tooling (detectors, ETL jobs, alert
rules)::

    from hypothesis import given
    from elbtrail import strategies as ets

    @given(ets.records(action="DeleteLoadBalancer"))
    def test_my_alert_fires(record):
        ...

Everything here is derived from elbtrail's models, so the parameters of all
80 actions follow the API's shapes, enums and types. Records are plain,
JSON-ready ``dict`` objects in CloudTrail's casing; `events()` parses
them. Strategies shrink towards small records with few optional fields.

Needs the ``hypothesis`` extra: ``pip install 'elbtrail[hypothesis]'``.

Added in version 0.1.0.
"""

from __future__ import annotations

import gzip as gzip_module
import json
import re
import string
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import attrs

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - depends on the environment
    msg = (
        "elbtrail.strategies needs Hypothesis; install it with "
        "pip install 'elbtrail[hypothesis]'"
    )
    raise ImportError(msg) from error

from ._actions import ELB_EVENT_SOURCE, Action, Api, actions
from ._event import Event, parse_event
from ._identity import IDENTITY_TYPES
from ._model import Kind, Model, StrEnum, wire_fields
from ._timestamps import format_canonical

__all__ = [
    "DamagedLogFile",
    "LogFile",
    "Shape",
    "account_ids",
    "all_actions",
    "arns",
    "damaged_log_files",
    "events",
    "identities",
    "log_file_cases",
    "log_files",
    "parameters",
    "records",
    "regions",
    "times",
]

_REGIONS = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
)
_NAME_CHARS = string.ascii_lowercase + string.digits + "-"
_TEXT_CHARS = string.ascii_letters + string.digits + "-_./: "
_MAX_DEPTH = 5
_STRING_MEMBER = re.compile(r'\n {6}"\w+(")": "')
_MEMBER = re.compile(r'\n {6}"(\w+)":')


def account_ids() -> st.SearchStrategy[str]:
    """Twelve-digit AWS account IDs."""
    return st.text("0123456789", min_size=12, max_size=12)


def regions() -> st.SearchStrategy[str]:
    """AWS Region names."""
    return st.sampled_from(_REGIONS)


def _instants() -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(2012, 6, 1),  # noqa: DTZ001 - made aware below
        max_value=datetime(2030, 12, 31),  # noqa: DTZ001
        timezones=st.just(timezone.utc),
    ).map(lambda t: t.replace(microsecond=0))


def _java(value: datetime) -> str:
    hour = value.hour % 12 or 12
    half = "AM" if value.hour < 12 else "PM"
    return f"{value:%b} {value.day}, {value.year} {hour}:{value:%M:%S} {half}"


def times(*, java: bool | None = False) -> st.SearchStrategy[str]:
    """
    Times as CloudTrail prints them.

    Args:
        java: ``False`` for ``2026-03-14T10:21:07Z`` (the envelope's form),
            ``True`` for ``Mar 14, 2026 10:21:07 AM`` (ELB responses), ``None``
            for either.
    """
    iso = _instants().map(format_canonical)
    if java is False:
        return iso
    other = _instants().map(_java)
    return other if java else st.one_of(iso, other)


def _names() -> st.SearchStrategy[str]:
    return st.text(_NAME_CHARS, min_size=1, max_size=16).map(lambda s: "lb-" + s)


def _hex(size: int) -> st.SearchStrategy[str]:
    return st.text("0123456789abcdef", min_size=size, max_size=size)


def arns(resource: str | None = None) -> st.SearchStrategy[str]:
    """
    ELB ARNs: load balancers (app, net, gwy), target groups, listeners.

    Args:
        resource: ``"loadbalancer"``, ``"targetgroup"`` or ``"listener"``;
            any of them when ``None``.
    """
    kinds = (
        ("loadbalancer", "targetgroup", "listener") if resource is None else (resource,)
    )

    @st.composite
    def build(draw: st.DrawFn) -> str:
        kind = draw(st.sampled_from(kinds))
        region = draw(regions())
        account = draw(account_ids())
        name = draw(_names())
        ident = draw(_hex(16))
        prefix = f"arn:aws:elasticloadbalancing:{region}:{account}:"
        if kind == "targetgroup":
            return f"{prefix}targetgroup/{name}/{ident}"
        flavour = draw(st.sampled_from(("app", "net", "gwy")))
        if kind == "listener":
            return f"{prefix}listener/{flavour}/{name}/{ident}/{draw(_hex(16))}"
        return f"{prefix}loadbalancer/{flavour}/{name}/{ident}"

    return build()


def _uuids() -> st.SearchStrategy[str]:
    return st.uuids().map(str)


def identities(identity_type: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """
    ``userIdentity`` objects of every documented type, or of *identity_type*.

    Each type gets the fields CloudTrail gives it (a session context for
    assumed roles, ``invokedBy`` for services, ``onBehalfOf`` for Identity
    Center users, ...), with ``mfaAuthenticated`` as the string CloudTrail
    writes.
    """
    kinds = sorted(IDENTITY_TYPES) if identity_type is None else [identity_type]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        kind = draw(st.sampled_from(kinds))
        account = draw(account_ids())
        user = draw(st.text(_NAME_CHARS, min_size=1, max_size=12))
        out: dict[str, Any] = {"type": kind}
        if kind in ("Root", "IAMUser"):
            out["principalId"] = "AIDA" + draw(_hex(16)).upper()
            out["arn"] = f"arn:aws:iam::{account}:" + (
                "root" if kind == "Root" else f"user/{user}"
            )
            out["accountId"] = account
            out["accessKeyId"] = "AKIA" + draw(_hex(16)).upper()
            out["userName"] = user
        elif kind in ("AssumedRole", "FederatedUser", "Role"):
            role_id = "AROA" + draw(_hex(16)).upper()
            out["principalId"] = f"{role_id}:{user}"
            out["arn"] = f"arn:aws:sts::{account}:assumed-role/role-{user}/{user}"
            out["accountId"] = account
            out["accessKeyId"] = "ASIA" + draw(_hex(16)).upper()
            out["sessionContext"] = {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": f"arn:aws:iam::{account}:role/role-{user}",
                    "accountId": account,
                    "userName": f"role-{user}",
                },
                "webIdFederationData": {},
                "attributes": {
                    "creationDate": draw(times()),
                    "mfaAuthenticated": draw(st.sampled_from(("true", "false"))),
                },
            }
            if draw(st.booleans()):
                out["sessionContext"]["ec2RoleDelivery"] = "2.0"
        elif kind in ("AWSService", "AWSAccount"):
            out["invokedBy"] = draw(
                st.sampled_from(("autoscaling.amazonaws.com", "ecs.amazonaws.com"))
            )
            if kind == "AWSAccount":
                out["accountId"] = account
        elif kind == "IdentityCenterUser":
            out["accountId"] = account
            out["onBehalfOf"] = {
                "userId": draw(_uuids()),
                "identityStoreArn": f"arn:aws:identitystore::{account}:identitystore/d-"
                + draw(_hex(10)),
            }
            out["credentialId"] = draw(_hex(32))
        else:
            out["principalId"] = draw(_hex(12))
            out["userName"] = user
            if kind in ("SAMLUser", "WebIdentityUser"):
                out["identityProvider"] = "accounts.google.com"
        return out

    return build()


# -- parameters, derived from the models ------------------------------------------


def _string_for(wire: str) -> st.SearchStrategy[str]:
    lowered = wire.lower()
    if lowered.endswith(("arn", "arns")) and "certificate" not in lowered:
        return arns()
    if lowered.endswith(("name", "names")):
        return _names()
    return st.text(_TEXT_CHARS, max_size=24)


def _scalar_json() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**31), 2**31),
        st.text(_TEXT_CHARS, max_size=12),
    )


def _json_objects() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.text(string.ascii_letters, min_size=1, max_size=8),
        _scalar_json(),
        max_size=3,
    )


def _value(kind: Kind, wire: str, depth: int) -> st.SearchStrategy[Any]:
    tag = kind.tag
    if tag == "str":
        return _string_for(wire)
    if tag == "int":
        return st.integers(0, 65535)
    if tag == "bool":
        return st.booleans()
    if tag == "float":
        return st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
    if tag == "ts":
        return times(java=None)
    if tag == "enum":
        values = [m.value for m in kind.arg]
        # Now and then a value AWS has not added yet.
        return st.sampled_from(values) | st.text(
            _NAME_CHARS, min_size=1, max_size=8
        ).map(lambda s: "future-" + s)
    if tag == "model":
        return _parameters(kind.arg, depth + 1)
    if tag == "seq":
        return st.lists(_value(kind.arg, wire, depth + 1), max_size=3)
    if tag == "map":
        return st.dictionaries(
            st.text(string.ascii_letters, min_size=1, max_size=8),
            _value(kind.arg, wire, depth + 1),
            max_size=3,
        )
    return _json_objects()


def _parameters(cls: type[Model], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        return st.just({})
    optional = {
        f.wire: st.deferred(lambda f=f: _value(f.kind, f.wire, depth))  # type: ignore[misc]
        for f in wire_fields(cls)
        if f.kind is not None
    }
    return st.fixed_dictionaries({}, optional=optional)


def parameters(model: type[Model]) -> st.SearchStrategy[dict[str, Any]]:
    """
    JSON mappings for *model* (``elbtrail.v2.CreateListenerRequest``, ...).

    Every member is optional; values follow the model's types, enums draw
    known values and, now and then, one AWS might add later.
    """
    return _parameters(model)


def all_actions(api: Api | None = None) -> list[Action]:
    """Every ELB action, or those of *api*, in a stable order."""
    apis = list(Api) if api is None else [api]
    return [a for one in apis for _, a in sorted(actions(one).items())]


def _has_fields(model: type[Model]) -> bool:
    return bool(wire_fields(model))


def _pick_actions(action: str | Action | None, api_version: str | None) -> list[Action]:
    api = Api(api_version) if api_version is not None else None
    if isinstance(action, Action):
        return [action]
    found = all_actions(api)
    if action is not None:
        found = [a for a in found if a.name == action]
        if not found:
            msg = f"no ELB action named {action!r}" + (
                f" in API {api_version}" if api_version else ""
            )
            raise ValueError(msg)
    return found


def records(
    action: str | Action | None = None,
    api_version: str | None = None,
    *,
    errors: bool | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """
    Whole CloudTrail records of ELB calls, JSON-ready.

    Args:
        action: An action name (``"RegisterTargets"``) or `Action`;
            any of the 80 when ``None``.
        api_version: ``"2012-06-01"`` or ``"2015-12-01"`` to pick the API.
        errors: ``True`` for failed calls only, ``False`` for successful
            ones, ``None`` for both.

    Raises:
        ValueError: If no action matches.
    """
    choices = _pick_actions(action, api_version)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        # The action is the sum of two draws, one before and one after the
        # caller: Hypothesis often reuses part of an earlier example, and a
        # single draw would then repeat the same few actions. Both shrink to
        # zero, so a failing example still shrinks to the first action.
        first = draw(st.integers(0, len(choices) - 1))
        version = draw(
            st.sampled_from(("1.03", "1.05", "1.08", "1.09", "1.10", "1.11"))
        )
        identity = draw(identities())
        time = draw(times())
        second = draw(st.integers(0, len(choices) - 1))
        chosen = choices[(first + second) % len(choices)]
        failed = draw(st.booleans()) if errors is None else errors
        read_only = chosen.name.startswith("Describe")
        params: Any = draw(st.one_of(st.none(), parameters(chosen.request)))
        response: Any = None
        if not failed and not read_only and _has_fields(chosen.response):
            response = draw(parameters(chosen.response))
        account = draw(account_ids())
        record: dict[str, Any] = {
            "eventVersion": version,
            "userIdentity": identity,
            "eventTime": time,
            "eventSource": ELB_EVENT_SOURCE,
            "eventName": chosen.name,
            "awsRegion": draw(regions()),
            "sourceIPAddress": draw(
                st.sampled_from(("198.51.100.1", "203.0.113.25", "AWS Internal"))
                | st.ip_addresses(v=4).map(str)
            ),
            "userAgent": draw(
                st.sampled_from(("aws-cli/2.15.30", "AWS Internal", "Boto3/1.34.0"))
            ),
        }
        if failed:
            record["errorCode"] = draw(
                st.sampled_from(
                    (
                        "AccessDenied",
                        "LoadBalancerNotFound",
                        "ValidationError",
                        "Throttling",
                    )
                )
            )
            record["errorMessage"] = draw(st.text(_TEXT_CHARS, max_size=40))
        record["requestParameters"] = params
        record["responseElements"] = response
        record["requestID"] = draw(_uuids())
        record["eventID"] = draw(_uuids())
        record["readOnly"] = read_only
        record["eventType"] = "AwsApiCall"
        record["apiVersion"] = chosen.api.value
        record["managementEvent"] = True
        record["recipientAccountId"] = account
        record["eventCategory"] = "Management"
        if draw(st.booleans()):
            record["tlsDetails"] = {
                "tlsVersion": draw(st.sampled_from(("TLSv1.2", "TLSv1.3"))),
                "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": "elasticloadbalancing.amazonaws.com",
            }
        if draw(st.booleans()):
            record["sessionCredentialFromConsole"] = "true"
        return record

    return build()


def events(
    action: str | Action | None = None,
    api_version: str | None = None,
    *,
    errors: bool | None = None,
) -> st.SearchStrategy[Event]:
    """The records of `records()`, parsed to `Event`."""
    return records(action, api_version, errors=errors).map(parse_event)


def _other_records() -> st.SearchStrategy[dict[str, Any]]:
    """Records of other services, which ELB-only readers leave out."""
    return st.fixed_dictionaries(
        {
            "eventVersion": st.just("1.11"),
            "userIdentity": identities("IAMUser"),
            "eventTime": times(),
            "eventSource": st.sampled_from(("ec2.amazonaws.com", "s3.amazonaws.com")),
            "eventName": st.sampled_from(("DescribeInstances", "GetObject")),
            "awsRegion": regions(),
            "requestParameters": st.none() | _json_objects(),
            "responseElements": st.none(),
            "eventID": _uuids(),
            "eventType": st.just("AwsApiCall"),
        }
    )


# -- whole files -------------------------------------------------------------------


class Shape(StrEnum):
    """The file shapes `log_files()` writes."""

    #: ``{"Records": [...]}`` on one line, as CloudTrail delivers it.
    RECORDS = "records"
    #: The same, indented, as the console exports it.
    RECORDS_INDENTED = "records-indented"
    #: One record per line.
    JSON_LINES = "jsonl"
    #: One EventBridge event per line.
    EVENTBRIDGE = "eventbridge"
    #: A JSON array of records.
    ARRAY = "array"
    #: ``aws cloudtrail lookup-events`` output.
    LOOKUP_EVENTS = "lookup-events"


@attrs.frozen
class LogFile:
    """
    A log file drawn by `log_file_cases()`, with the records it holds.

    Attributes:
        data: The file's bytes.
        records: Every record in it, in order (ELB and other services).
        shape: How it is laid out.
        gzipped: Whether ``data`` is gzip.
    """

    data: bytes
    records: Sequence[dict[str, Any]]
    shape: Shape
    gzipped: bool

    @property
    def elb_records(self) -> list[dict[str, Any]]:
        """The records a default, ELB-only read returns."""
        return [r for r in self.records if r.get("eventSource") == ELB_EVENT_SOURCE]


def _render(records: Sequence[dict[str, Any]], shape: Shape) -> str:
    if shape is Shape.RECORDS:
        return json.dumps({"Records": list(records)}, separators=(",", ":"))
    if shape is Shape.RECORDS_INDENTED:
        return json.dumps({"Records": list(records)}, indent=2)
    if shape is Shape.JSON_LINES:
        return "".join(json.dumps(r) + "\n" for r in records)
    if shape is Shape.EVENTBRIDGE:
        return "".join(
            json.dumps(
                {
                    "version": "0",
                    "id": r.get("eventID", "0"),
                    "detail-type": "AWS API Call via CloudTrail",
                    "source": "aws.elasticloadbalancing",
                    "detail": r,
                }
            )
            + "\n"
            for r in records
        )
    if shape is Shape.ARRAY:
        return json.dumps(list(records))
    return json.dumps(
        {
            "Events": [
                {"EventId": r.get("eventID"), "CloudTrailEvent": json.dumps(r)}
                for r in records
            ]
        }
    )


def _gzip(data: bytes) -> bytes:
    return gzip_module.compress(data, mtime=0)


def log_file_cases(
    *,
    min_records: int = 0,
    max_records: int = 8,
    shapes: Sequence[Shape] = tuple(Shape),
    gzip: bool | None = None,
    other_services: bool = True,
) -> st.SearchStrategy[LogFile]:
    """
    Log files together with the records they hold.

    Args:
        min_records: The fewest records in a file.
        max_records: The most records in a file.
        shapes: The layouts to draw from.
        gzip: Gzip the file (``True``), never (``False``), or either (``None``).
        other_services: Mix in records of other services.
    """
    record = records() | _other_records() if other_services else records()

    @st.composite
    def build(draw: st.DrawFn) -> LogFile:
        drawn = draw(st.lists(record, min_size=min_records, max_size=max_records))
        shape = draw(st.sampled_from(list(shapes)))
        text = _render(drawn, shape).encode()
        zipped = draw(st.booleans()) if gzip is None else gzip
        return LogFile(_gzip(text) if zipped else text, drawn, shape, zipped)

    return build()


def log_files(
    *,
    min_records: int = 0,
    max_records: int = 8,
    shapes: Sequence[Shape] = tuple(Shape),
    gzip: bool | None = None,
) -> st.SearchStrategy[bytes]:
    """
    Whole log files as bytes, in every shape elbtrail reads.

    The arguments are those of `log_file_cases()`, which also gives the
    records each file holds.
    """
    return log_file_cases(
        min_records=min_records, max_records=max_records, shapes=shapes, gzip=gzip
    ).map(lambda f: f.data)


@attrs.frozen
class DamagedLogFile:
    """
    A damaged log file and what a tolerant reader must recover from it.

    Attributes:
        data: The damaged file's bytes.
        records: The records the file held before the damage.
        intact: The records a tolerant reader must return, in order and
            equal to these; a record damaged beyond repair is not among them.
            Drawn with ``elb_only=False``, they include records of other
            services, which elbtrail returns only when read with
            ``elb_only=False`` too.
        damage: What was done to the file, in words.
    """

    data: bytes
    records: Sequence[dict[str, Any]]
    intact: Sequence[dict[str, Any]]
    damage: str


_DAMAGE = (
    "missing-comma",
    "unclosed-key",
    "unquoted-key",
    "elision-lines",
    "garbage-line",
    "wrong-type",
    "truncated",
    "truncated-gzip",
)


def damaged_log_files(
    *, kinds: Sequence[str] = _DAMAGE, max_records: int = 6, elb_only: bool = True
) -> st.SearchStrategy[DamagedLogFile]:
    """
    Log files with damage seen in the wild, each with what must survive it.

    Kinds of damage: ``missing-comma`` (after a value, as the AWS docs
    print), ``unclosed-key`` (``"eventVersion: "1.03"``), ``unquoted-key``
    (``eventName: "AddTags"``), ``elision-lines``
    (``. . .`` between records), ``garbage-line`` (among JSON lines),
    ``wrong-type`` (a value of the wrong type in a record), ``truncated``
    and ``truncated-gzip`` (a file cut short).

    Args:
        kinds: The kinds of damage to draw from.
        max_records: At most this many records per file.
        elb_only: Draw only ELB records, as elbtrail keeps by default, so that
            ``intact`` is what ``elbtrail.loads(data)`` must return; with
            ``False``, records of other services are mixed in, and ``intact``
            is what ``elbtrail.loads(data, elb_only=False)`` must return.
    """
    unknown = set(kinds) - set(_DAMAGE)
    if unknown:
        msg = f"unknown kinds of damage: {sorted(unknown)}"
        raise ValueError(msg)

    pool = records() if elb_only else records() | _other_records()

    @st.composite
    def build(draw: st.DrawFn) -> DamagedLogFile:
        kind = draw(st.sampled_from(list(kinds)))
        drawn = draw(st.lists(pool, min_size=1, max_size=max_records))
        if kind == "garbage-line":
            lines = [json.dumps(r) for r in drawn]
            at = draw(st.integers(0, len(lines)))
            junk = draw(
                st.sampled_from(("%%% garbage %%%", "<html>", "-- cut here --"))
            )
            lines.insert(at, junk)
            text = "\n".join(lines) + "\n"
            return DamagedLogFile(
                text.encode(), drawn, drawn, f"{kind} at line {at + 1}"
            )
        if kind == "wrong-type":
            index = draw(st.integers(0, len(drawn) - 1))
            key = draw(
                st.sampled_from(
                    ("eventTime", "userIdentity", "readOnly", "requestParameters")
                )
            )
            bad = draw(
                st.sampled_from((12345, "not-an-object", ["list"], {"nested": True}))
            )
            changed = [dict(r) for r in drawn]
            changed[index][key] = bad
            text = json.dumps({"Records": changed}, indent=2)
            return DamagedLogFile(
                text.encode(), changed, changed, f"{kind}: {key} of record {index}"
            )
        text = json.dumps({"Records": drawn}, indent=2)
        starts = _record_spans(text, len(drawn))
        if kind in ("truncated", "truncated-gzip"):
            cut = draw(st.integers(0, len(text) - 1))
            intact = [
                r for r, (_, end) in zip(drawn, starts, strict=True) if end <= cut
            ]
            if kind == "truncated":
                return DamagedLogFile(
                    text[:cut].encode(), drawn, intact, f"cut at {cut}"
                )
            zipped = _gzip(text.encode())
            size = draw(st.integers(0, len(zipped) - 1))
            arrived = _inflate_prefix(zipped[:size])
            intact = [
                r
                for r, (_, end) in zip(drawn, starts, strict=True)
                if end <= len(arrived)
            ]
            return DamagedLogFile(zipped[:size], drawn, intact, f"gzip cut at {size}")
        index = draw(st.integers(0, len(drawn) - 1))
        start, end = starts[index]
        body = text[start:end]
        if kind == "elision-lines":
            damaged = text[:start] + "   . . .\n    " + text[start:]
            return DamagedLogFile(
                damaged.encode(), drawn, drawn, f"{kind} before record {index}"
            )
        if kind == "missing-comma":
            spots = [i for i in range(len(body)) if body.startswith('",\n      "', i)]
            if not spots:
                return DamagedLogFile(text.encode(), drawn, drawn, "none (no spot)")
            spot = start + draw(st.sampled_from(spots)) + 1
            damaged = text[:spot] + text[spot + 1 :]
            return DamagedLogFile(
                damaged.encode(), drawn, drawn, f"{kind} in record {index}"
            )
        if kind == "unquoted-key":
            keys = [m.span(1) for m in _MEMBER.finditer(body)]
            if not keys:
                return DamagedLogFile(text.encode(), drawn, drawn, "none (no spot)")
            key_start, key_end = draw(st.sampled_from(keys))
            damaged_body = (
                body[: key_start - 1] + body[key_start:key_end] + body[key_end + 1 :]
            )
            damaged = text[:start] + damaged_body + text[end:]
            return DamagedLogFile(
                damaged.encode(), drawn, drawn, f"{kind} in record {index}"
            )
        # A top-level key whose value is a string loses its closing quote.
        spots = [m.start(1) for m in _STRING_MEMBER.finditer(body)]
        if not spots:
            return DamagedLogFile(text.encode(), drawn, drawn, "none (no spot)")
        spot = start + draw(st.sampled_from(spots))
        damaged = text[:spot] + text[spot + 1 :]
        return DamagedLogFile(
            damaged.encode(), drawn, drawn, f"{kind} in record {index}"
        )

    return build()


def _record_spans(text: str, count: int) -> list[tuple[int, int]]:
    """Where each record of an ``indent=2`` Records file starts and ends."""
    spans = []
    position = 0
    for _ in range(count):
        start = text.index("\n    {", position) + 1
        end = text.index("\n    }", start) + len("\n    }")
        spans.append((start, end))
        position = end
    return spans


def _inflate_prefix(data: bytes) -> bytes:
    import zlib  # noqa: PLC0415 - only for this helper

    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data)
    except zlib.error:
        return b""
