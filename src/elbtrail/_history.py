"""
Load-balancer history rebuilt from the trail: snapshots, changes and diffs.

Theory of operation
-------------------
`History.from_events` keeps the ELB calls that change something, drops
records delivered twice (same ``eventID``), and sorts the rest by event time
with a stable tie-break (a load balancer, target group or trust store is
created before its parts, parts before other changes, then parts deleted
before their owner, then by ``eventID``), since CloudTrail delivers out of
order and its times are whole seconds. It then applies them
in that order with the per-action appliers of ``_appliers``, each call making
new immutable states for the resources it touched. Every resource keeps its
timeline of states, so `History.at` finds a resource's state at any moment by
bisection, and unchanged parts of states are shared rather than copied.

Calls that failed (``errorCode``) change nothing and are kept as attempts.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import attrs

from ._appliers import APPLIERS, Applier, Replay
from ._config_items import BaselineEntry
from ._describe import describe, plain
from ._event import Event
from ._model import Model
from ._state import ResourceState, StateKind
from ._timestamps import parse_timestamp

__all__ = ["Call", "Change", "FieldChange", "History", "Snapshot"]

UTC = timezone.utc

# Calls of one second (CloudTrail's times are whole seconds) are ordered so
# that a resource exists before its parts are made, and its parts go first.
_OWNERS = frozenset({"CreateLoadBalancer", "CreateTargetGroup", "CreateTrustStore"})
_ENDS = frozenset({"DeleteLoadBalancer", "DeleteTargetGroup", "DeleteTrustStore"})
# What is left in the list of pending calls once one is applied.
_APPLIED: Any = (None, None, None, None)


@attrs.frozen(kw_only=True)
class Call:
    """
    The API call behind a change: who made it, when, from where.

    Attributes:
        time: ``eventTime``.
        action: ``eventName``.
        api_version: ``apiVersion`` (``2012-06-01`` Classic, ``2015-12-01`` v2).
        principal: A readable name of the caller (see `UserIdentity.principal`).
        identity_type: ``userIdentity.type``.
        arn: ``userIdentity.arn``.
        source_ip_address: ``sourceIPAddress``.
        user_agent: ``userAgent``.
        event_id: ``eventID``.
        region: ``awsRegion``.
        error_code: ``errorCode``, for a call that failed.
        error_message: ``errorMessage``.
        request: The typed request parameters. A history keeps them as
            compact JSON text and builds the model again on each access:
            each access gives an equal, new model.

    Added in version 0.1.0.
    """

    time: datetime
    action: str
    api_version: str | None = None
    principal: str | None = None
    identity_type: str | None = None
    arn: str | None = None
    source_ip_address: str | None = None
    user_agent: str | None = None
    event_id: str | None = None
    region: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    _request: Any = attrs.field(default=None, eq=False, alias="request")

    @property
    def request(self) -> Model | Mapping[str, Any] | None:
        """The typed request parameters (see the class)."""
        value = self._request
        if value.__class__ is _Packed:
            return value.unpack()
        return value  # type: ignore[no-any-return]

    @classmethod
    def of(cls, event: Event, time: datetime) -> Call:
        """Summarise *event*, whose time is *time*."""
        return _call_of(event, time, {})


def _call_of(event: Event, time: datetime, shared: dict[Any, Any]) -> Call:
    """
    Summarise *event*, keeping its request as JSON text.

    Values repeated from call to call (the caller, its address and user
    agent) are taken from *shared*, so that a
    history holds each once rather than once a call.
    """
    identity = event.user_identity
    share = shared.setdefault
    values = (
        event.api_version,
        identity.principal if identity is not None else None,
        identity.type if identity is not None else None,
        identity.arn if identity is not None else None,
        event.source_ip_address,
        event.user_agent,
        event.aws_region,
        event.error_code,
    )
    (api, principal, kind, arn, address, agent, region, error) = (
        v if v is None else share(v, v) for v in values
    )
    action: str = share(event.event_name or "", event.event_name or "")
    return Call(
        time=time,
        action=action,
        api_version=api,
        principal=principal,
        identity_type=kind,
        arn=arn,
        source_ip_address=address,
        user_agent=agent,
        event_id=event.event_id,
        region=region,
        error_code=error,
        error_message=event.error_message,
        request=_pack(event.request_parameters),
    )


class _Packed:
    """A typed model kept as its JSON text: a fifth of its size in memory."""

    __slots__ = ("cls", "text")

    def __init__(self, cls: type[Model], text: str) -> None:
        self.cls = cls
        self.text = text

    def unpack(self) -> Model:
        return self.cls.from_dict(json.loads(self.text))

    def __repr__(self) -> str:
        return repr(self.unpack())


def _pack(value: Any) -> Any:
    """*value* as a `_Packed` if it is a model that JSON text carries in full."""
    if not isinstance(value, Model):
        return value
    try:
        text = json.dumps(
            value.to_dict(), separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError):
        return value  # a value JSON cannot carry: kept as it is
    return _Packed(type(value), text)


@attrs.frozen
class FieldChange:
    """
    One field of a resource, before and after a change.

    ``name`` is the API's name for a described field (``HealthCheck``), or
    ``Tags``, ``Attributes``, ``Targets`` or ``Certificates``. ``None`` on
    either side means absent or not known.

    Added in version 0.1.0.
    """

    name: str
    before: Any
    after: Any


def _fields(state: ResourceState | None) -> dict[str, Any]:
    if state is None:
        return {}
    fields: dict[str, Any] = dict(state.description)
    apart = {
        "Tags": state.tags,
        "Attributes": state.attributes,
        "Targets": getattr(state, "targets", None),
        "Certificates": getattr(state, "certificates", None),
    }
    fields.update({k: v for k, v in apart.items() if v is not None})
    return fields


@attrs.frozen(kw_only=True)
class Change:
    """
    What one call did to one resource.

    Attributes:
        call: The call.
        resource: The resource's name (Classic) or ARN.
        kind: The kind of resource.
        before: Its state before the call; ``None`` if it did not exist or
            was not known.
        after: Its state after; ``None`` when the call ended it.
        known: ``True`` when the change is known in full: the state before
            it was complete. ``False`` when the resource existed before the
            trail begins, or the call revealed only part of what it changed.
        note: What the call did, in words (``registered i-0abc``).

    Added in version 0.1.0.
    """

    call: Call
    resource: str
    kind: StateKind
    before: ResourceState | None
    after: ResourceState | None
    known: bool
    note: str = ""

    @property
    def fields(self) -> tuple[FieldChange, ...]:
        """The fields whose value differs before and after, in name order."""
        before, after = _fields(self.before), _fields(self.after)
        return tuple(
            FieldChange(name, plain(before.get(name)), plain(after.get(name)))
            for name in sorted(before.keys() | after.keys())
            if before.get(name) != after.get(name)
        )

    @property
    def created(self) -> bool:
        """Whether the call created the resource."""
        return self.after is not None and self.before is None and self.known

    @property
    def ended(self) -> bool:
        """Whether the call ended (deleted) the resource."""
        return self.after is None


@attrs.frozen
class Snapshot:
    """
    Every resource the trail knows of, as it was at one moment.

    Attributes:
        time: The moment.
        resources: Resource name or ARN to its state, for each resource
            that existed then.

    Added in version 0.1.0.
    """

    time: datetime
    resources: Mapping[str, ResourceState]

    def __getitem__(self, resource: str) -> ResourceState:
        """Return the state of *resource* (name or ARN)."""
        return self.resources[resource]

    def __contains__(self, resource: object) -> bool:
        """Whether *resource* existed at that moment, as far as the trail knows."""
        return resource in self.resources

    def __iter__(self) -> Iterator[ResourceState]:
        """Iterate over the states, ordered by kind and name or ARN."""
        return iter(sorted(self.resources.values(), key=lambda s: (s.kind, s.id)))

    def __len__(self) -> int:
        """The number of resources."""
        return len(self.resources)

    def describe(self) -> dict[str, Any]:
        """
        Return the snapshot as the AWS API would describe it, in the AWS CLI's JSON.

        The keys are ``LoadBalancerDescriptions`` (Classic
        ``describe-load-balancers``), ``LoadBalancers``, ``Listeners``,
        ``Rules`` (without default rules), ``TargetGroups`` and ``TrustStores``
        (the ELBv2 ``describe-*`` answers), and, by resource name or ARN,
        ``Targets`` (the ``Target`` objects of ``describe-target-health``),
        ``TrustStoreRevocations`` (as ``describe-trust-store-revocations``),
        ``Tags`` (key to value) and ``Attributes`` (key to value; Classic
        attributes in their nested shape). Fields the trail never revealed
        are absent, not invented; tags appear only where they are known in
        full; attributes hold those that calls revealed. Times are ISO 8601.
        """
        return describe(self.resources.values())


def _rank(name: str) -> int:
    if name in _OWNERS:
        return 0
    if name in _ENDS:
        return 4
    if name.startswith("Create"):
        return 1
    if name.startswith("Delete"):
        return 3
    return 2


def _sort_key(time: datetime, event: Event) -> tuple[datetime, int, str]:
    return (time, _rank(event.event_name or ""), event.event_id or "")


def _event_time(event: Event) -> datetime | None:
    return event.event_time


class History:
    """
    The history of every load-balancing resource in a trail.

    Build it with `History.from_events`; ask it for a `Snapshot` at any
    moment with `at`, for the `changes` in time order, for the `diff`
    between two moments, and for the calls that failed with `attempts`.

    Added in version 0.1.0.
    """

    def __init__(
        self,
        changes: list[Change],
        attempts: list[Call],
        baseline: list[BaselineEntry],
        skipped: int,
        notices: list[str] | None = None,
    ) -> None:
        """Use `History.from_events`."""
        self._changes = changes
        self._attempts = attempts
        #: Number of records with no event time or no readable request.
        self.skipped = skipped
        #: What was decided about the baseline: each configuration item left
        #: out (another resource type, or a later item of a resource), and why.
        self.notices: tuple[str, ...] = tuple(notices or ())
        timelines: dict[str, tuple[list[datetime], list[ResourceState | None]]] = {}
        # A resource's baseline comes before its changes: calls before it
        # were not applied to it.
        for entry in baseline:
            timelines[entry.id] = ([entry.time], [entry.state])
        for change in changes:
            times, states = timelines.setdefault(change.resource, ([], []))
            times.append(change.call.time)
            states.append(change.after)
        self._timelines = timelines
        self._times = [c.call.time for c in changes]

    @classmethod
    def from_events(
        cls,
        events: Iterable[Event],
        *,
        baseline: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
        baseline_time: datetime | str | None = None,
    ) -> History:
        """
        Rebuild the history of load balancers from CloudTrail events.

        Args:
            events: Events in any order, for example `elbtrail.iter_events`
                over a folder or a stream; events of other services, read-only
                calls and records delivered twice are ignored.
            baseline: The state of some or all resources at a known time:
                ``describe-*`` output as the AWS CLI or boto3 prints it (one
                mapping or several, holding any of
                ``LoadBalancerDescriptions``, ``LoadBalancers``,
                ``Listeners``, ``Rules``, ``TargetGroups``, ``TrustStores``,
                ``TagDescriptions`` and, by resource, ``Targets``, ``Tags``
                and ``Attributes``: the shape `Snapshot.describe` returns),
                or AWS Config configuration items (one item, the output of
                ``get-resource-config-history`` or
                ``batch-get-resource-config``, or a snapshot or history file
                Config delivered to S3). Resources it names are known in
                full from its time; calls before that time do not change them.
            baseline_time: When the baseline was taken; events before it are
                ignored. Required with ``describe-*`` output. Configuration
                items carry their own ``configurationItemCaptureTime``, and
                each resource starts from its own item's time unless
                *baseline_time* is given.

        Raises:
            ValueError: If *baseline* holds ``describe-*`` output without a
                readable *baseline_time*, or a configuration item that cannot
                be read (the message names the item and what is wrong).
            TypeError: If *baseline* is not made of JSON objects, or a
                ``describe-*`` item has no name or ARN.
        """
        from ._baseline import read_baseline  # noqa: PLC0415 - rarely used

        since: datetime | None = None
        entries: list[BaselineEntry] = []
        notices: list[str] = []
        if baseline_time is not None:
            since = (
                parse_timestamp(baseline_time)
                if isinstance(baseline_time, str)
                else _moment(baseline_time)
            )
            if since is None:
                msg = (
                    "History.from_events: baseline_time is not a time "
                    f"(got {baseline_time!r}); no history was built"
                )
                raise ValueError(msg)
        if baseline is not None:
            entries, notices = read_baseline(baseline, since)
        starts = {entry.id: entry.time for entry in entries}
        # Only what applying needs is kept until the calls are sorted: the
        # call's summary, its applier and its parameters and response.
        pending: list[tuple[tuple[datetime, int, str], Call, Applier, Any]] = []
        seen: set[str] = set()
        shared: dict[Any, Any] = {}
        skipped = 0
        for event in events:
            action = event.action
            applier = (
                APPLIERS.get((action.api, action.name)) if action is not None else None
            )
            if applier is None or action is None:
                continue
            if not isinstance(event.request_parameters, action.request):
                skipped += 1
                continue
            time = _event_time(event)
            if time is None:
                skipped += 1
                continue
            if since is not None and time < since:
                continue
            if event.event_id is not None:
                if event.event_id in seen:
                    continue
                seen.add(event.event_id)
            call = _call_of(event, time, shared)
            failed = call.error_code is not None
            # Until the calls are sorted and applied, the parameters (in the
            # call) and the response are held as JSON text: a fifth of the
            # memory of their models, which are built again to apply them.
            response = None if failed else _pack(event.response_elements)
            pending.append((_sort_key(time, event), call, applier, response))
        del seen, shared
        pending.sort(key=lambda item: item[0])
        replay = Replay()
        changes: list[Change] = []
        attempts: list[Call] = []
        installed = 0
        for index in range(len(pending)):
            _, call, applier, response = pending[index]
            # Released as they are applied, so that they and the changes
            # they make are not all held at once.
            pending[index] = _APPLIED
            if call.error_code is not None:
                attempts.append(call)
                continue
            # Baseline states of this moment or before come first.
            while installed < len(entries) and entries[installed].time <= call.time:
                entry = entries[installed]
                installed += 1
                if entry.state is None:
                    replay.states.pop(entry.id, None)
                else:
                    replay.states[entry.id] = entry.state
            replay.now = call.time
            replay.effects.clear()
            if response.__class__ is _Packed:
                response = response.unpack()
            applier(replay, call.request, response)
            for rid, kind, before, after, known, note in replay.effects:
                start = starts.get(rid)
                if start is not None and call.time < start:
                    # The resource starts from its baseline, which already
                    # holds what this call did to it.
                    replay.states.pop(rid, None)
                    continue
                if note.startswith("created") and _no_op(before, after):
                    continue
                changes.append(
                    Change(
                        call=call,
                        resource=rid,
                        kind=kind,
                        before=before,
                        after=after,
                        known=known,
                        note=note,
                    )
                )
        del pending
        return cls(changes, attempts, entries, skipped, notices)

    def at(self, when: datetime | str) -> Snapshot:
        """
        Return the state of every resource at *when* (after the calls of that second).

        Args:
            when: An aware `datetime`, or ISO 8601 text.

        Raises:
            ValueError: If *when* is text that is not a time.
        """
        moment = _moment(when)
        resources: dict[str, ResourceState] = {}
        for rid, (times, states) in self._timelines.items():
            index = bisect.bisect_right(times, moment) - 1
            if index >= 0:
                state = states[index]
                if state is not None:
                    resources[rid] = state
        return Snapshot(moment, resources)

    def changes(
        self,
        resource: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> list[Change]:
        """
        Return the changes in time order, optionally of one resource or period.

        Args:
            resource: A Classic load balancer's name, an ARN, or the name of
                an ELBv2 load balancer or target group. A load balancer's
                changes include those of its listeners and rules.
            since: Only changes at or after this time.
            until: Only changes at or before this time.
        """
        low = 0 if since is None else bisect.bisect_left(self._times, _moment(since))
        high = (
            len(self._changes)
            if until is None
            else bisect.bisect_right(self._times, _moment(until))
        )
        selected = self._changes[low:high]
        if resource is None:
            return selected
        related = self._related(resource)
        return [c for c in selected if c.resource in related]

    def attempts(
        self,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> list[Call]:
        """Return the calls that failed (``errorCode``), in time order."""
        low = _moment(since) if since is not None else None
        high = _moment(until) if until is not None else None
        return [
            c
            for c in self._attempts
            if (low is None or c.time >= low) and (high is None or c.time <= high)
        ]

    def diff(self, t1: datetime | str, t2: datetime | str) -> dict[str, Change]:
        """
        Return what differs between the snapshots at *t1* and *t2*.

        Each resource that differs maps to a `Change` from its state at *t1*
        (``before``) to its state at *t2* (``after``); ``None`` on a side means
        it did not exist (or was not known) then. ``call`` is the last call
        that changed it in between, and ``known`` is false if any change in
        between was only partly known.

        Raises:
            ValueError: If *t1* comes after *t2*, or either is not a time.
        """
        first, second = self.at(t1), self.at(t2)
        if first.time > second.time:
            msg = (
                f"History.diff: t1 ({first.time.isoformat()}) comes after "
                f"t2 ({second.time.isoformat()}); give the earlier time first"
            )
            raise ValueError(msg)
        between = self.changes(since=first.time, until=second.time)
        last: dict[str, Change] = {}
        partial: set[str] = set()
        for change in between:
            if change.call.time > first.time:
                last[change.resource] = change
                if not change.known:
                    partial.add(change.resource)
        result: dict[str, Change] = {}
        for rid in sorted(first.resources.keys() | second.resources.keys()):
            before = first.resources.get(rid)
            after = second.resources.get(rid)
            if before is after or rid not in last:
                continue
            if _fields(before) == _fields(after) and (before is None) == (
                after is None
            ):
                continue
            change = last[rid]
            result[rid] = Change(
                call=change.call,
                resource=rid,
                kind=change.kind,
                before=before,
                after=after,
                known=rid not in partial,
                note=change.note,
            )
        return result

    def resources(self) -> list[str]:
        """Return the name or ARN of every resource the history knows, sorted."""
        return sorted(self._timelines)

    def _related(self, resource: str) -> set[str]:
        """*resource* (a name or ARN) and the resources that hang from it."""
        related = {resource}
        names = ("LoadBalancerName", "TargetGroupName", "Name")
        for rid, (_, states) in self._timelines.items():
            if any(
                s is not None and resource in (s.description.get(n) for n in names)
                for s in states
            ):
                related.add(rid)
        for rid, (_, states) in self._timelines.items():
            for state in states:
                if state is None:
                    continue
                parent = state.description.get("LoadBalancerArn") or getattr(
                    state, "listener_arn", None
                )
                if parent in related:
                    related.add(rid)
                    break
        # Rules hang from listeners found above; one more pass finds them.
        for rid, (_, states) in self._timelines.items():
            if any(
                s is not None and getattr(s, "listener_arn", None) in related
                for s in states
            ):
                related.add(rid)
        return related


def _no_op(before: ResourceState | None, after: ResourceState | None) -> bool:
    """Whether a call left a resource as it was (a create repeated as is)."""
    if before is None or after is None:
        return False
    return before.complete == after.complete and _fields(before) == _fields(after)


def _moment(when: datetime | str) -> datetime:
    if isinstance(when, datetime):
        # CloudTrail's times are UTC; a time without a zone is taken as UTC.
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    value = parse_timestamp(when)
    if value is None:
        msg = f"not a time: {when!r} (use ISO 8601, e.g. 2026-03-14T10:30:00Z)"
        raise ValueError(msg)
    return value
