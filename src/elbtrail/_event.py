"""The CloudTrail record envelope, and parsing one record into it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from ._actions import ELB_EVENT_SOURCE, Action, action_for, action_of_request, resolve
from ._identity import UserIdentity
from ._issues import Issue, ParseError, Severity
from ._model import (
    BAD,
    HOOK,
    SKIP,
    Issues,
    JsonPath,
    Model,
    _wrong,
    build_input,
    copy_json,
    key,
    note_kept,
    render_path,
    structurer,
    unstructure,
)

if TYPE_CHECKING:
    # Python 3.11's typing.Self, for type checkers only.
    from typing_extensions import Self

__all__ = [
    "Addendum",
    "Event",
    "Resource",
    "TlsDetails",
    "parse_event",
]


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class Resource(Model):
    """
    A resource the call touched (an item of ``resources``).

    Added in version 0.1.0.
    """

    arn: str | None = key("ARN")
    arn_prefix: str | None = key("ARNPrefix")
    account_id: str | None = None
    type: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class TlsDetails(Model):
    """
    The TLS connection the call came over (``tlsDetails``).

    Added in version 0.1.0.
    """

    _elbtrail_intern = True

    tls_version: str | None = None
    cipher_suite: str | None = None
    client_provided_host_header: str | None = None
    key_exchange: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class Addendum(Model):
    """
    Why a record was delivered late or changed (``addendum``).

    Added in version 0.1.0.
    """

    reason: str | None = None
    updated_fields: str | None = None
    original_request_id: str | None = key("originalRequestID")
    original_event_id: str | None = key("originalEventID")


def _structure_parameters(
    value: Any, record: Mapping[str, Any], path: JsonPath, issues: list[Issue]
) -> Any:
    return _structure_part(value, record, path, issues, request=True)


def _structure_response(
    value: Any, record: Mapping[str, Any], path: JsonPath, issues: list[Issue]
) -> Any:
    return _structure_part(value, record, path, issues, request=False)


def _structure_part(
    value: Any,
    record: Mapping[str, Any],
    path: JsonPath,
    issues: list[Issue],
    *,
    request: bool,
) -> Any:
    if value.__class__ is not dict:
        _wrong(issues, path, "an object", value)
        return BAD
    # Notices about the API are said once, with the request.
    action = resolve(record, issues if request else None, path[0])
    if action is None:
        note_kept(value, path, issues)
        return value
    cls = action.request if request else action.response
    return structurer(cls)(value, path, issues)


def _unstructure_part(value: Any) -> Any:
    if isinstance(value, Model):
        return unstructure(value)
    return copy_json(value)


_PARAMETERS_HOOK = {HOOK: (_structure_parameters, _unstructure_part)}
_RESPONSE_HOOK = {HOOK: (_structure_response, _unstructure_part)}


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class Event(Model):
    """
    One CloudTrail record: an API call, with who made it, when and how it went.

    Every documented field is an attribute in snake_case; each is ``None`` when
    the record does not have it (or has it as ``null``). For ELB calls,
    `request_parameters` and `response_elements` are instances of
    the action's classes in `elbtrail.classic` or `elbtrail.v2`; for
    other calls, and ELB actions elbtrail does not know, they are the plain
    JSON mappings.

    `to_dict()` gives back the record that was read.

    Attributes:
        issues: Problems found in this record, each with its JSON path.

    Added in version 0.1.0.
    """

    event_version: str | None = None
    user_identity: UserIdentity | None = None
    event_time: datetime | None = None
    event_source: str | None = None
    event_name: str | None = None
    aws_region: str | None = None
    source_ip_address: str | None = key("sourceIPAddress")
    user_agent: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    request_parameters: Model | Mapping[str, Any] | None = attrs.field(
        default=None, metadata=_PARAMETERS_HOOK
    )
    response_elements: Model | Mapping[str, Any] | None = attrs.field(
        default=None, metadata=_RESPONSE_HOOK
    )
    additional_event_data: Mapping[str, Any] | None = None
    request_id: str | None = key("requestID")
    event_id: str | None = key("eventID")
    read_only: bool | None = None
    resources: tuple[Resource, ...] | None = None
    event_type: str | None = None
    api_version: str | None = None
    management_event: bool | None = None
    recipient_account_id: str | None = None
    service_event_details: Mapping[str, Any] | None = None
    shared_event_id: str | None = key("sharedEventID")
    vpc_endpoint_id: str | None = None
    vpc_endpoint_account_id: str | None = None
    event_category: str | None = None
    addendum: Addendum | None = None
    session_credential_from_console: bool | None = None
    edge_device_details: Mapping[str, Any] | None = None
    tls_details: TlsDetails | None = None
    insight_details: Mapping[str, Any] | None = None
    event_context: Mapping[str, Any] | None = None
    annotation: str | None = None
    issues: tuple[Issue, ...] = attrs.field(
        default=(), init=False, eq=False, hash=False, repr=False, metadata={SKIP: True}
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, strict: bool = False) -> Self:
        """
        Parse one CloudTrail record, as `parse_event()` does.

        Args:
            data: One record, as decoded from JSON.
            strict: Raise instead of reporting wrongly typed values.

        Raises:
            elbtrail.ParseError: In strict mode, if any value has the wrong type.
            TypeError: If *data* is not a mapping.
        """
        if cls is not Event:
            return super().from_dict(data, strict=strict)
        event: Self = parse_event(data, strict=strict)  # type: ignore[assignment]
        return event

    @property
    def is_elb(self) -> bool:
        """Whether this is an Elastic Load Balancing API call."""
        return self.event_source == ELB_EVENT_SOURCE

    @property
    def action(self) -> Action | None:
        """
        The ELB action this record is a call of, or ``None``.

        Decided from ``apiVersion`` and ``eventName`` (or, where ``apiVersion``
        is missing, from the parameters' shape).
        """
        if not self.is_elb:
            return None
        found = action_of_request(self.request_parameters)
        if found is not None:
            return found
        return action_for(self.api_version, self.event_name)

    @property
    def is_error(self) -> bool:
        """Whether the call failed (``errorCode`` is set)."""
        return self.error_code is not None

    @property
    def version_info(self) -> tuple[int, int] | None:
        """
        ``eventVersion`` as two integers, so ``"1.10"`` sorts after ``"1.9"``.

        ``None`` when the version is missing or not of the form ``major.minor``.
        """
        text = self.event_version
        if text is None:
            return None
        major, _, minor = text.partition(".")
        if not (major.isdigit() and minor.isdigit()):
            return None
        return int(major), int(minor)


def parse_event(
    record: Mapping[str, Any],
    *,
    strict: bool = False,
    path: JsonPath = "",
) -> Event:
    """
    Parse one CloudTrail record into an `Event`.

    Nothing in the record is dropped: unknown keys are kept, a value of the
    wrong type leaves its attribute ``None`` and is reported in
    `Event.issues` with its JSON path, and `Event.to_dict()` gives
    back the record. The event keeps copies of what it holds: changing
    *record* afterwards does not change it.

    A whole log file (a mapping with ``Records``) or an empty mapping is not
    a record: the event then carries an issue that says so.

    Args:
        record: One record, as decoded from JSON.
        strict: Raise instead of reporting wrongly typed values.
        path: The JSON path of the record in its file, prefixed to the paths
            of issues (``"Records[3]"``).

    Returns:
        The typed event.

    Raises:
        elbtrail.ParseError: In strict mode, if any value has the wrong type,
            or *record* is a whole log file.
        TypeError: If *record* is not a mapping.

    Added in version 0.1.0.
    """
    if record.__class__ is not dict:
        if not isinstance(record, Mapping):
            msg = (
                "a CloudTrail record is a JSON object, got "
                f"{type(record).__name__}; elbtrail.loads() reads whole log files"
            )
            raise TypeError(msg)
        record = dict(record)
    return build_input(
        lambda copied: parse_owned(copied, strict=strict, path=path), record
    )


def parse_owned(
    record: dict[str, Any], *, strict: bool = False, path: JsonPath = ""
) -> Event:
    """
    Parse a record that nobody else holds, as `parse_event()` does.

    The readers decode each record themselves, so the event may keep the
    record's values without copying them.
    """
    return parse_decoded(record, strict=strict, path=path)[0]


def parse_decoded(
    record: dict[str, Any], *, strict: bool = False, path: JsonPath = ""
) -> tuple[Event, list[tuple[Any, JsonPath]] | None]:
    """
    `parse_owned`, and the objects and lists the event kept as read.

    Only they can make the record nest deeper than the models do (see
    `Issues`); each comes with its JSON path, which starts from *path*.
    """
    issues = Issues()
    event: Event = _STRUCTURE_EVENT(record, path, issues)
    if not record or "Records" in record:
        issues.insert(0, _misuse(record, path))
    if issues:
        if strict and any(i.is_damage for i in issues):
            raise ParseError(issues)
        # The issues are found while the event is built, so they are attached
        # after; the event is not shared with anyone before this returns.
        object.__setattr__(event, "issues", tuple(issues))
    return event, issues.kept


def _misuse(record: Mapping[str, Any], path: JsonPath) -> Issue:
    """The issue for a mapping that is not a record at all."""
    if not record:
        return Issue(
            message="an empty object is not a CloudTrail record",
            code="empty-record",
            severity=Severity.NOTICE,
            path=render_path(path) or None,
            action="every field is None",
        )
    return Issue(
        message="this is a whole log file (an object with Records), not one "
        "record; elbtrail.loads() or elbtrail.read() read log files",
        code="log-file-not-record",
        severity=Severity.ERROR,
        path=render_path(path) or None,
        action="kept it in extra, untyped",
    )


def _structure_event(
    record: Mapping[str, Any], path: JsonPath, issues: list[Issue]
) -> Event:
    global _STRUCTURE_EVENT  # noqa: PLW0603 - compiled once, on first use
    function = structurer(Event)
    result: Event = function(record, path, issues)
    _STRUCTURE_EVENT = function
    return result


_STRUCTURE_EVENT = _structure_event
