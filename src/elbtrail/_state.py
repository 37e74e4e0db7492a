"""
The state of one load-balancing resource at one moment, as the trail revealed it.

Each state keeps the resource's description in the casing the AWS API
answers with (``LoadBalancerName``, ``DNSName``), holding only the fields
some record revealed: a field the trail never showed is absent, never a
default. Tags, attributes and registered targets are kept apart, as the API
describes them by separate calls; ``None`` there means "not known".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

__all__ = [
    "ClassicLoadBalancerState",
    "ListenerState",
    "LoadBalancerState",
    "ResourceState",
    "RuleState",
    "StateKind",
    "TargetGroupState",
    "TrustStoreState",
    "frozen_json",
]


class StateKind(str, enum.Enum):
    """
    The kinds of resource a `History` follows.

    Added in version 0.1.0.
    """

    #: A Classic Load Balancer, known by its name.
    CLASSIC_LOAD_BALANCER = "classic-load-balancer"
    #: An Application, Network or Gateway Load Balancer, known by its ARN.
    LOAD_BALANCER = "load-balancer"
    #: A listener of an ELBv2 load balancer.
    LISTENER = "listener"
    #: A listener rule (not the default rule, whose ARN the trail never shows).
    RULE = "rule"
    #: A target group.
    TARGET_GROUP = "target-group"
    #: A trust store for mutual TLS.
    TRUST_STORE = "trust-store"


_SCALARS = frozenset({str, int, float, bool, type(None), datetime})


def frozen_json(value: Any) -> Any:
    """Return *value* with every dict read-only and every list a tuple."""
    cls = value.__class__
    if cls in _SCALARS:
        return value
    if cls is MappingProxyType:
        return value  # made here, so frozen all the way down
    if cls is dict or isinstance(value, Mapping):
        return MappingProxyType({k: frozen_json(v) for k, v in value.items()})
    if cls is list or cls is tuple:
        return tuple(frozen_json(v) for v in value)
    return value


_EMPTY: Mapping[str, Any] = MappingProxyType({})


@attrs.frozen(kw_only=True)
class ResourceState:
    """
    What the trail tells of one resource at one moment.

    Attributes:
        id: The resource's name (Classic load balancers) or ARN.
        description: Its description as the AWS API answers it, with only the
            fields the trail revealed (read-only mappings, tuples for lists).
        tags: Its tags, key to value; ``None`` when they are not known.
        attributes: Its attributes; ``None`` when none are known. Partly
            known attributes hold the keys that were seen.
        complete: Whether the state is known in full: the resource was
            created within the trail, or given by a baseline. Otherwise only
            what later calls revealed is known.
        since: The time of the call that made this state.

    Added in version 0.1.0.
    """

    kind: StateKind = attrs.field(init=False)
    id: str
    description: Mapping[str, Any] = _EMPTY
    tags: Mapping[str, str] | None = None
    attributes: Mapping[str, Any] | None = None
    complete: bool = False
    since: datetime | None = None

    @property
    def unknown(self) -> frozenset[str]:
        """The description fields a complete state would have that this one lacks."""
        return frozenset(_EXPECTED[self.kind]) - frozenset(self.description)

    def get(self, field: str) -> Any:
        """Return the described value of *field* (AWS casing), or ``None``."""
        return self.description.get(field)


@attrs.frozen(kw_only=True)
class ClassicLoadBalancerState(ResourceState):
    """
    A Classic Load Balancer (``LoadBalancerDescriptions`` item).

    Added in version 0.1.0.
    """

    kind: StateKind = attrs.field(default=StateKind.CLASSIC_LOAD_BALANCER, init=False)

    @property
    def instances(self) -> tuple[str, ...] | None:
        """The registered instance IDs, or ``None`` if not known."""
        items = self.description.get("Instances")
        if items is None:
            return None
        ids = (i.get("InstanceId") for i in items)
        return tuple(x for x in ids if isinstance(x, str))

    @property
    def listener_ports(self) -> tuple[int, ...] | None:
        """The listeners' load-balancer ports (where known), or ``None``."""
        items = self.description.get("ListenerDescriptions")
        if items is None:
            return None
        ports = ((i.get("Listener") or {}).get("LoadBalancerPort") for i in items)
        return tuple(p for p in ports if isinstance(p, int))


@attrs.frozen(kw_only=True)
class LoadBalancerState(ResourceState):
    """
    An ELBv2 load balancer (``LoadBalancers`` item).

    Added in version 0.1.0.
    """

    kind: StateKind = attrs.field(default=StateKind.LOAD_BALANCER, init=False)

    @property
    def name(self) -> str | None:
        """The load balancer's name, if known."""
        value = self.description.get("LoadBalancerName")
        return value if isinstance(value, str) else None


@attrs.frozen(kw_only=True)
class ListenerState(ResourceState):
    """
    A listener (``Listeners`` item).

    Attributes:
        certificates: Every certificate ARN of the listener, the default
            one included, or ``None`` when not known.

    Added in version 0.1.0.
    """

    kind: StateKind = attrs.field(default=StateKind.LISTENER, init=False)
    certificates: tuple[str, ...] | None = None

    @property
    def load_balancer_arn(self) -> str | None:
        """The ARN of its load balancer, if known."""
        value = self.description.get("LoadBalancerArn")
        return value if isinstance(value, str) else None


@attrs.frozen(kw_only=True)
class RuleState(ResourceState):
    """
    A listener rule (``Rules`` item).

    Attributes:
        listener_arn: The ARN of its listener, if known.

    Added in version 0.1.0.
    """

    kind: StateKind = attrs.field(default=StateKind.RULE, init=False)
    listener_arn: str | None = None


@attrs.frozen(kw_only=True)
class TargetGroupState(ResourceState):
    """
    A target group (``TargetGroups`` item) and its registered targets.

    Attributes:
        targets: The registered targets as ``Target`` objects of
            ``describe-target-health`` (``Id``, ``Port``,
            ``AvailabilityZone``), or ``None`` when not known.

    Added in version 0.1.0.
    """

    kind: StateKind = attrs.field(default=StateKind.TARGET_GROUP, init=False)
    targets: tuple[Mapping[str, Any], ...] | None = None


@attrs.frozen(kw_only=True)
class TrustStoreState(ResourceState):
    """
    A trust store (``TrustStores`` item) and its revocations.

    Attributes:
        revocations: Its revocation lists as ``describe-trust-store-revocations``
            answers (``TrustStoreArn``, ``RevocationId``, ``RevocationType``,
            ``NumberOfRevokedEntries``), or ``None`` when not known.

    Added in version 0.1.0.
    """

    kind: StateKind = attrs.field(default=StateKind.TRUST_STORE, init=False)
    revocations: tuple[Mapping[str, Any], ...] | None = None


# What a complete description holds, so that `unknown` can name what is missing.
_EXPECTED: Mapping[StateKind, tuple[str, ...]] = {
    StateKind.CLASSIC_LOAD_BALANCER: (
        "LoadBalancerName",
        "DNSName",
        "ListenerDescriptions",
        "Policies",
        "BackendServerDescriptions",
        "AvailabilityZones",
        "Subnets",
        "Instances",
        "HealthCheck",
        "SecurityGroups",
        "Scheme",
    ),
    StateKind.LOAD_BALANCER: (
        "LoadBalancerArn",
        "DNSName",
        "CanonicalHostedZoneId",
        "CreatedTime",
        "LoadBalancerName",
        "Scheme",
        "VpcId",
        "State",
        "Type",
        "AvailabilityZones",
        "IpAddressType",
    ),
    StateKind.LISTENER: (
        "ListenerArn",
        "LoadBalancerArn",
        "Port",
        "Protocol",
        "DefaultActions",
    ),
    StateKind.RULE: ("RuleArn", "Priority", "Conditions", "Actions", "IsDefault"),
    StateKind.TARGET_GROUP: (
        "TargetGroupArn",
        "TargetGroupName",
        "TargetType",
    ),
    StateKind.TRUST_STORE: ("TrustStoreArn", "Name"),
}
