"""
Between CloudTrail's casing and the AWS API's, and snapshots as the API answers.

CloudTrail writes request parameters and response elements with the first
letter of each key lowered (``DNSName`` becomes ``dNSName``); the API, and so
the AWS CLI, writes them with it raised. `api_case` undoes CloudTrail's
change, so the history can answer in the API's own shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ._state import (
    ClassicLoadBalancerState,
    ListenerState,
    LoadBalancerState,
    ResourceState,
    RuleState,
    TargetGroupState,
    TrustStoreState,
)

__all__ = ["api_case", "describe", "plain"]

# Keys whose values are maps of the user's own keys, not API structures.
_OPAQUE = frozenset({"authenticationRequestExtraParams"})


def api_case(value: Any) -> Any:
    """Return *value* with every object key's first letter raised, recursively."""
    if isinstance(value, Mapping):
        return {
            (k[:1].upper() + k[1:]): (v if k in _OPAQUE else api_case(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [api_case(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """Return *value* as plain JSON: dicts, lists, and times in ISO 8601."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _forwarded_groups(actions: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for action in actions:
        arn = action.get("TargetGroupArn")
        if isinstance(arn, str):
            yield arn
        forward = action.get("ForwardConfig")
        if isinstance(forward, Mapping):
            for group in forward.get("TargetGroups") or ():
                arn = (
                    group.get("TargetGroupArn") if isinstance(group, Mapping) else None
                )
                if isinstance(arn, str):
                    yield arn


def _group_users(states: Iterable[ResourceState]) -> dict[str, set[str]]:
    """Target group ARN to the ARNs of the load balancers that send to it."""
    listeners = {s.id: s for s in states if isinstance(s, ListenerState)}
    users: dict[str, set[str]] = {}
    for state in states:
        if isinstance(state, ListenerState):
            lb = state.load_balancer_arn
            actions = state.description.get("DefaultActions") or ()
        elif isinstance(state, RuleState):
            listener = listeners.get(state.listener_arn or "")
            lb = listener.load_balancer_arn if listener is not None else None
            actions = state.description.get("Actions") or ()
        else:
            continue
        if lb is None:
            continue
        for arn in _forwarded_groups(actions):
            users.setdefault(arn, set()).add(lb)
    return users


def describe(states: Iterable[ResourceState]) -> dict[str, Any]:
    """Render *states* as the ``describe-*`` answers of the AWS CLI (see Snapshot)."""
    states = sorted(states, key=lambda s: (s.kind.value, s.id))
    users = _group_users(states)
    out: dict[str, Any] = {
        "LoadBalancerDescriptions": [],
        "LoadBalancers": [],
        "Listeners": [],
        "Rules": [],
        "TargetGroups": [],
        "TrustStores": [],
        "Targets": {},
        "TrustStoreRevocations": {},
        "Tags": {},
        "Attributes": {},
    }
    for state in states:
        item = plain(state.description)
        if isinstance(state, ClassicLoadBalancerState):
            out["LoadBalancerDescriptions"].append(item)
        elif isinstance(state, LoadBalancerState):
            out["LoadBalancers"].append(item)
        elif isinstance(state, ListenerState):
            out["Listeners"].append(item)
        elif isinstance(state, RuleState):
            out["Rules"].append(item)
        elif isinstance(state, TargetGroupState):
            if state.complete or state.id in users:
                item["LoadBalancerArns"] = sorted(users.get(state.id, ()))
            out["TargetGroups"].append(item)
            if state.targets is not None:
                out["Targets"][state.id] = plain(state.targets)
        elif isinstance(state, TrustStoreState):
            out["TrustStores"].append(item)
            if state.revocations is not None:
                out["TrustStoreRevocations"][state.id] = plain(state.revocations)
        if state.tags is not None:
            out["Tags"][state.id] = dict(state.tags)
        if state.attributes is not None:
            out["Attributes"][state.id] = plain(state.attributes)
    return out
