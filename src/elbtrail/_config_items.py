"""
States from AWS Config configuration items, for a history that starts complete.

AWS Config writes a configuration item for each recorded resource, in three
forms that differ in small ways: the ``configurationItems`` list of
``get-resource-config-history`` and ``batch-get-resource-config`` (boto3 gives
``configuration`` and each ``supplementaryConfiguration`` value as JSON text,
and the capture time as a `datetime`), and the snapshot and history files
Config delivers to S3 (``{"fileVersion": ..., "configurationItems": [...]}``,
with ``configuration`` an object and ``ARN`` in capitals).

The ``configuration`` of a Classic load balancer is the
``LoadBalancerDescription`` with Java bean names (``dnsname``, ``vpcid``,
``sslcertificateId``); that of an ELBv2 load balancer is the ``LoadBalancer``
with each key's first letter lowered (``dNSName``); that of a listener has
CloudFormation's names (``ListenerArn``, ``ListenerAttributes``). Each is
turned into the description the ``describe-*`` calls answer with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import attrs

from ._describe import api_case
from ._state import (
    ClassicLoadBalancerState,
    ListenerState,
    LoadBalancerState,
    ResourceState,
    StateKind,
    TargetGroupState,
    frozen_json,
)
from ._timestamps import parse_timestamp

__all__ = ["BaselineEntry", "config_entries", "is_config"]

CLASSIC = "AWS::ElasticLoadBalancing::LoadBalancer"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"

_KINDS: Mapping[str, StateKind] = {
    CLASSIC: StateKind.CLASSIC_LOAD_BALANCER,
    LOAD_BALANCER: StateKind.LOAD_BALANCER,
    LISTENER: StateKind.LISTENER,
    TARGET_GROUP: StateKind.TARGET_GROUP,
}
# Where the configuration names the resource, when the item does not.
_ID_FIELDS: Mapping[str, str] = {
    CLASSIC: "LoadBalancerName",
    LOAD_BALANCER: "LoadBalancerArn",
    LISTENER: "ListenerArn",
    TARGET_GROUP: "TargetGroupArn",
}
#: Statuses of an item whose resource did not exist, or was not recorded.
ABSENT = frozenset(
    {"ResourceDeleted", "ResourceNotRecorded", "ResourceDeletedNotRecorded"}
)
# Java bean names of the Classic description that raising the first letter
# does not give back.
_BEAN_NAMES: Mapping[str, str] = {
    "dnsname": "DNSName",
    "vpcid": "VPCId",
    "sslcertificateId": "SSLCertificateId",
    "lbcookieStickinessPolicies": "LBCookieStickinessPolicies",
}


@attrs.frozen
class BaselineEntry:
    """One resource's state (``None``: absent) from a baseline, and its time."""

    time: datetime
    id: str
    kind: StateKind
    state: ResourceState | None


class ConfigItemError(ValueError):
    """A configuration item that cannot be read; the message says which and why."""


def is_config(part: Mapping[str, Any]) -> bool:
    """Whether *part* is a configuration item or a list of them."""
    return "configurationItems" in part or "resourceType" in part


def _items(part: Mapping[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    if "configurationItems" not in part:
        yield where or "configuration item", part
        return
    items = part["configurationItems"]
    if not isinstance(items, list):
        msg = (
            f"baseline: {where}configurationItems is "
            f"{type(items).__name__}, not a list; the baseline was not used"
        )
        raise ConfigItemError(msg)
    for index, item in enumerate(items):
        yield f"{where}configurationItems[{index}]", item


def config_entries(
    part: Mapping[str, Any], where: str, time: datetime | None, notices: list[str]
) -> list[BaselineEntry]:
    """
    Read the configuration items of *part* (one item, or a ``configurationItems`` list).

    *where* prefixes the JSON path in messages; *time*, if given, replaces
    each item's capture time. Items of other resource types are left out,
    with a line in *notices* saying so.

    Raises:
        ConfigItemError: If an item is not an object, or an ELB item lacks its
            ARN or name, its capture time, or a readable configuration.
    """
    entries = []
    for path, item in _items(part, where):
        if not isinstance(item, Mapping):
            msg = (
                f"baseline: {path} is {type(item).__name__}, not a configuration "
                "item; the baseline was not used"
            )
            raise ConfigItemError(msg)
        entry = _entry(item, path, time, notices)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(
    item: Mapping[str, Any], path: str, time: datetime | None, notices: list[str]
) -> BaselineEntry | None:
    rtype = item.get("resourceType")
    if not isinstance(rtype, str) or rtype not in _KINDS:
        notices.append(
            f"{path}: resource type {rtype!r} is not one the history follows; "
            "the item was left out"
        )
        return None
    kind = _KINDS[rtype]
    label = f"{path} ({rtype}"
    name = item.get("resourceName") or item.get("resourceId")
    if isinstance(name, str):
        label += f" {name}"
    label += ")"
    status = item.get("configurationItemStatus")
    when = time if time is not None else _capture_time(item, label)
    if status in ABSENT:
        rid = _resource_id(item, rtype, {}, label)
        return BaselineEntry(when, rid, kind, None)
    configuration = _configuration(item, label)
    description = _description(rtype, configuration)
    rid = _resource_id(item, rtype, description, label)
    description.setdefault(_ID_FIELDS[rtype], rid)
    supplementary = _supplementary(item, label)
    state = _state(rtype, rid, description, item, supplementary, when, label)
    return BaselineEntry(when, rid, kind, state)


def _capture_time(item: Mapping[str, Any], label: str) -> datetime:
    value = item.get("configurationItemCaptureTime")
    if isinstance(value, datetime):
        # boto3 gives an aware time; one without a zone is taken as UTC.
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value
    parsed = parse_timestamp(value)
    if parsed is None:
        msg = (
            f"baseline: {label} has no readable configurationItemCaptureTime "
            f"(got {value!r}); give baseline_time, or the item's time; "
            "the baseline was not used"
        )
        raise ConfigItemError(msg)
    return parsed


def _resource_id(
    item: Mapping[str, Any], rtype: str, description: Mapping[str, Any], label: str
) -> str:
    if rtype == CLASSIC:
        found = (
            item.get("resourceName")
            or item.get("resourceId")
            or description.get("LoadBalancerName")
        )
        what = "resourceName"
    else:
        found = item.get("ARN") or item.get("arn") or description.get(_ID_FIELDS[rtype])
        resource_id = item.get("resourceId")
        if (
            not found
            and isinstance(resource_id, str)
            and resource_id.startswith("arn:")
        ):
            found = resource_id
        what = "ARN"
    if not isinstance(found, str) or not found:
        msg = (
            f"baseline: {label} has no {what}, so the resource cannot be named; "
            "the baseline was not used"
        )
        raise ConfigItemError(msg)
    return found


def _json(value: Any, label: str, field: str) -> Any:
    """*value*, or the JSON it holds when it is text (boto3 and the AWS CLI)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as error:
        msg = (
            f"baseline: {label}: {field} is text that is not JSON ({error}); "
            "the baseline was not used"
        )
        raise ConfigItemError(msg) from None


def _configuration(item: Mapping[str, Any], label: str) -> Mapping[str, Any]:
    value = _json(item.get("configuration"), label, "configuration")
    if not isinstance(value, Mapping):
        status = item.get("configurationItemStatus")
        msg = (
            f"baseline: {label}: configuration is "
            f"{'null' if value is None else type(value).__name__}, not an object, "
            f"in an item with status {status!r}, whose resource exists; "
            "the baseline was not used"
        )
        raise ConfigItemError(msg)
    return value


def _supplementary(item: Mapping[str, Any], label: str) -> dict[str, Any]:
    value = item.get("supplementaryConfiguration") or {}
    if not isinstance(value, Mapping):
        msg = (
            f"baseline: {label}: supplementaryConfiguration is "
            f"{type(value).__name__}, not an object; the baseline was not used"
        )
        raise ConfigItemError(msg)
    return {
        k: _json(v, label, f"supplementaryConfiguration.{k}") for k, v in value.items()
    }


def _bean_case(value: Any) -> Any:
    """A Classic description from Java bean names to the API's names."""
    if isinstance(value, Mapping):
        return {
            _BEAN_NAMES.get(k) or (k[:1].upper() + k[1:]): _bean_case(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_bean_case(v) for v in value]
    return value


def _description(rtype: str, configuration: Mapping[str, Any]) -> dict[str, Any]:
    description: dict[str, Any] = (
        _bean_case(configuration) if rtype == CLASSIC else api_case(configuration)
    )
    created = description.get("CreatedTime")
    if created is not None and not isinstance(created, datetime):
        parsed = parse_timestamp(created)
        if parsed is not None:
            description["CreatedTime"] = parsed
    return description


def _pairs(value: Any) -> dict[str, Any] | None:
    """``[{"key": k, "value": v}]`` (either casing) or a mapping, as a mapping."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if not isinstance(value, list):
        return None
    pairs: dict[str, Any] = {}
    for pair in value:
        if isinstance(pair, Mapping):
            key = pair.get("Key", pair.get("key"))
            if isinstance(key, str):
                pairs[key] = pair.get("Value", pair.get("value", ""))
    return pairs


def _state(
    rtype: str,
    rid: str,
    description: dict[str, Any],
    item: Mapping[str, Any],
    supplementary: Mapping[str, Any],
    time: datetime,
    label: str,
) -> ResourceState:
    tags = _pairs(item.get("tags"))
    if tags is None:
        tags = _pairs(supplementary.get("Tags"))
    common: dict[str, Any] = {
        "id": rid,
        "complete": True,
        "since": time,
        "tags": None if tags is None else frozen_json(tags),
    }
    attributes: Any = None
    if rtype == CLASSIC:
        found = supplementary.get("LoadBalancerAttributes")
        if isinstance(found, Mapping):
            attributes = api_case(found)
        return ClassicLoadBalancerState(
            description=frozen_json(description),
            attributes=frozen_json(attributes),
            **common,
        )
    if rtype == LOAD_BALANCER:
        attributes = _pairs(supplementary.get("LoadBalancerAttributes"))
        return LoadBalancerState(
            description=frozen_json(description),
            attributes=frozen_json(attributes),
            **common,
        )
    if rtype == LISTENER:
        attributes = _pairs(description.pop("ListenerAttributes", None))
        certificates = description.get("Certificates") or ()
        return ListenerState(
            description=frozen_json(description),
            attributes=frozen_json(attributes),
            certificates=tuple(
                c["CertificateArn"]
                for c in certificates
                if isinstance(c, Mapping) and isinstance(c.get("CertificateArn"), str)
            ),
            **common,
        )
    # Target groups: which load balancers use one follows from the listeners.
    description.pop("LoadBalancerArns", None)
    attributes = _pairs(
        description.pop("TargetGroupAttributes", None)
        or supplementary.get("TargetGroupAttributes")
    )
    targets = description.pop("Targets", None)
    if targets is not None and not isinstance(targets, list):
        msg = f"baseline: {label}: Targets is not a list; the baseline was not used"
        raise ConfigItemError(msg)
    return TargetGroupState(
        description=frozen_json(description),
        attributes=frozen_json(attributes),
        targets=None if targets is None else frozen_json(targets),
        **common,
    )
