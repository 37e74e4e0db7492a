"""
States from a baseline, for a history that starts complete.

A baseline is ``describe-*`` output taken at one known time, or AWS Config
configuration items (see ``_config_items``), each with its own capture time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ._config_items import BaselineEntry, config_entries, is_config
from ._state import (
    ClassicLoadBalancerState,
    ListenerState,
    LoadBalancerState,
    ResourceState,
    RuleState,
    TargetGroupState,
    TrustStoreState,
    frozen_json,
)
from ._timestamps import parse_timestamp

__all__ = ["baseline_states", "read_baseline"]

_LISTS: tuple[tuple[str, str, type[ResourceState]], ...] = (
    ("LoadBalancerDescriptions", "LoadBalancerName", ClassicLoadBalancerState),
    ("LoadBalancers", "LoadBalancerArn", LoadBalancerState),
    ("Listeners", "ListenerArn", ListenerState),
    ("Rules", "RuleArn", RuleState),
    ("TargetGroups", "TargetGroupArn", TargetGroupState),
    ("TrustStores", "TrustStoreArn", TrustStoreState),
)


def _description(item: Mapping[str, Any]) -> dict[str, Any]:
    description = {k: v for k, v in item.items() if k != "LoadBalancerArns"}
    created = description.get("CreatedTime")
    if created is not None and not isinstance(created, datetime):
        description["CreatedTime"] = parse_timestamp(str(created))
    return description


def read_baseline(
    baseline: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    time: datetime | None,
) -> tuple[list[BaselineEntry], list[str]]:
    """
    Read ``describe-*`` output or Config items (see `History.from_events`).

    *time* is when the baseline was taken: required for ``describe-*``
    output; for configuration items it replaces each item's capture time.
    Returns the states in time order, and notices of what was left out. A
    resource named by several configuration items starts from the earliest.

    Raises:
        TypeError: If an item of a ``describe-*`` list has no name or ARN.
        ValueError: If ``describe-*`` output comes without *time*, or a
            configuration item cannot be read.
    """
    parts = [baseline] if isinstance(baseline, Mapping) else list(baseline)
    entries: list[BaselineEntry] = []
    notices: list[str] = []
    described: list[Mapping[str, Any]] = []
    for index, part in enumerate(parts):
        where = f"[{index}]." if len(parts) > 1 else ""
        if not isinstance(part, Mapping):
            msg = (
                f"baseline{where.rstrip('.')} is {type(part).__name__}, not an "
                "object of describe-* output or configuration items; "
                "the baseline was not used"
            )
            raise TypeError(msg)
        if is_config(part):
            entries.extend(config_entries(part, where, time, notices))
        else:
            described.append(part)
    if described:
        if time is None:
            msg = (
                "History.from_events: a baseline of describe-* output needs its "
                "baseline_time (got None); no history was built"
            )
            raise ValueError(msg)
        entries.extend(
            BaselineEntry(time, rid, state.kind, state)
            for rid, state in baseline_states(described, time).items()
        )
    entries.sort(key=lambda e: e.time)
    first: dict[str, BaselineEntry] = {}
    for entry in entries:
        earlier = first.get(entry.id)
        if earlier is None or earlier.time == entry.time:
            first[entry.id] = entry
            continue
        start = first[entry.id].time.isoformat()
        notices.append(
            f"{entry.id}: a later item ({entry.time.isoformat()}) was not used; "
            f"the history starts from its earliest ({start}) and the trail "
            "gives what followed"
        )
    return list(first.values()), notices


def baseline_states(
    baseline: Mapping[str, Any] | Iterable[Mapping[str, Any]], time: datetime
) -> dict[str, ResourceState]:
    """
    Read the states of a baseline (see `History.from_events`).

    Raises:
        TypeError: If an item of a list has no name or ARN.
    """
    parts = [baseline] if isinstance(baseline, Mapping) else list(baseline)
    states: dict[str, ResourceState] = {}
    tags: dict[str, dict[str, str]] = {}
    attributes: dict[str, Any] = {}
    targets: dict[str, list[Any]] = {}
    rule_listeners: dict[str, str] = {}
    revocations: dict[str, list[Any]] = {}
    for part in parts:
        for key, id_field, cls in _LISTS:
            for index, item in enumerate(part.get(key) or ()):
                rid = item.get(id_field)
                if not isinstance(rid, str):
                    msg = (
                        f"baseline: {key}[{index}] has no {id_field}; "
                        "the baseline was not used"
                    )
                    raise TypeError(msg)
                states[rid] = cls(
                    id=rid,
                    description=frozen_json(_description(item)),
                    complete=True,
                    since=time,
                )
        for description in part.get("TagDescriptions") or ():
            rid = description.get("ResourceArn") or description.get("LoadBalancerName")
            tags[rid] = {t["Key"]: t.get("Value", "") for t in description["Tags"]}
        tags.update({k: dict(v) for k, v in (part.get("Tags") or {}).items()})
        attributes.update(part.get("Attributes") or {})
        targets.update(part.get("Targets") or {})
        rule_listeners.update(part.get("RuleListeners") or {})
        revocations.update(part.get("TrustStoreRevocations") or {})
    for rid, state in list(states.items()):
        extra: dict[str, Any] = {"tags": frozen_json(tags.get(rid, {}))}
        if rid in attributes:
            extra["attributes"] = frozen_json(attributes[rid])
        if isinstance(state, TargetGroupState):
            extra["targets"] = frozen_json(targets.get(rid, []))
        if isinstance(state, ListenerState):
            extra["certificates"] = tuple(
                c["CertificateArn"] for c in state.description.get("Certificates") or ()
            )
        if isinstance(state, TrustStoreState) and rid in revocations:
            extra["revocations"] = frozen_json(revocations[rid])
        if isinstance(state, RuleState):
            extra["listener_arn"] = rule_listeners.get(rid) or _listener_of(rid)
        states[rid] = attrs.evolve(state, **extra)
    return states


def _listener_of(rule_arn: str) -> str:
    # listener-rule/app/NAME/LB/LISTENER/RULE is a rule of listener/app/NAME/LB/LISTENER
    head, _, rest = rule_arn.partition("listener-rule/")
    return head + "listener/" + rest.rsplit("/", 1)[0]
