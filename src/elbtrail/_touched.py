"""
Which resources an ELB call touched, from its typed parameters and response.

One table, `_FIELDS`, says which fields of the models in `elbtrail.classic`
and `elbtrail.v2` name a resource and how (by ARN, by name, as a target, as a
Classic listener's port); `_OWNED_FIELDS` settles the few fields whose meaning
depends on the class they are in (``name`` is a load balancer's name in
``CreateLoadBalancerRequest``, a cipher's in ``Cipher``). A generic walk over
the models' fields does the rest, so a new action needs no code here unless it
names a resource with a field never seen before.
"""

from __future__ import annotations

import enum
import threading
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._event import Event
from ._lazy import public_module
from ._model import Model

__all__ = ["ResourceKind", "TouchedResource", "touched_resources"]


class ResourceKind(str, enum.Enum):  # noqa: UP042, RUF100 - StrEnum is 3.11+
    """
    The kinds of resource an ELB call can act on.

    Added in version 0.1.0.
    """

    #: A load balancer: Classic (by name) or Application, Network, Gateway.
    LOAD_BALANCER = "load-balancer"
    #: A listener: by ARN, or a Classic load balancer's port (``my-lb:443``).
    LISTENER = "listener"
    #: A listener rule of an Application Load Balancer.
    RULE = "rule"
    #: A target group.
    TARGET_GROUP = "target-group"
    #: A target: an instance, an IP address, a Lambda function, a load balancer.
    TARGET = "target"
    #: A trust store for mutual TLS.
    TRUST_STORE = "trust-store"
    #: A server certificate (ACM or IAM) of a listener.
    CERTIFICATE = "certificate"
    #: A Classic load balancer's policy (``my-lb:my-policy``).
    POLICY = "policy"
    #: An ELB resource named by an ARN of a type elbtrail does not know.
    OTHER = "other"

    def __str__(self) -> str:
        """Return the value (``load-balancer``), on every Python version."""
        return self.value


@attrs.frozen
class TouchedResource:
    """
    One resource an ELB call named or acted on.

    Attributes:
        kind: What sort of resource it is.
        name: Its name where the record says or its ARN implies it
            (``my-load-balancer``), or ``None``. A Classic listener's name
            is its load balancer's name and port (``my-lb:443``); a Classic
            policy's, its load balancer's name and the policy's
            (``my-lb:my-policy``); a target's, its ID (``i-0abc``, an IP
            address).
        arn: Its ARN where the record gives it, or ``None``.

    Raises:
        ValueError: If neither *name* nor *arn* is given, or *kind* is not
            one of `ResourceKind` (its value, such as ``"load-balancer"``,
            is accepted too).

    Added in version 0.1.0.
    """

    kind: ResourceKind = attrs.field(converter=ResourceKind)
    name: str | None = None
    arn: str | None = None

    def __attrs_post_init__(self) -> None:
        """Refuse a resource that cannot be told apart from any other."""
        if self.name is None and self.arn is None:
            msg = f"a touched {self.kind.value} needs a name or an ARN, got neither"
            raise ValueError(msg)

    @property
    def identifier(self) -> str:
        """
        The ARN when there is one, otherwise the name.

        This is what tells the resource apart from others in the same account
        and region, and what the command line shows.
        """
        if self.arn is not None:
            return self.arn
        assert self.name is not None  # the constructor checks it
        return self.name


# -- the table --------------------------------------------------------------------


class _Role(enum.Enum):
    ARN = "arn"  # an ARN of the field's kind
    ANY_ARN = "any-arn"  # an ELB ARN of any kind: the kind comes from the ARN
    NAME = "name"  # a name of the field's kind
    TARGET = "target"  # a target ID, which may be an ARN (Lambda, ALB)
    PORT = "port"  # a Classic listener, by its load balancer's port
    POLICY = "policy"  # a Classic policy, by name within its load balancer


_K = ResourceKind

#: Fields that name a resource wherever they appear, by attribute name. List
#: fields (``load_balancer_arns``) hold several.
_FIELDS: Mapping[str, tuple[ResourceKind, _Role]] = {
    "load_balancer_arn": (_K.LOAD_BALANCER, _Role.ARN),
    "load_balancer_arns": (_K.LOAD_BALANCER, _Role.ARN),
    "load_balancer_name": (_K.LOAD_BALANCER, _Role.NAME),
    "load_balancer_names": (_K.LOAD_BALANCER, _Role.NAME),
    "load_balancer_port": (_K.LISTENER, _Role.PORT),
    "load_balancer_ports": (_K.LISTENER, _Role.PORT),
    "listener_arn": (_K.LISTENER, _Role.ARN),
    "listener_arns": (_K.LISTENER, _Role.ARN),
    "rule_arn": (_K.RULE, _Role.ARN),
    "rule_arns": (_K.RULE, _Role.ARN),
    "target_group_arn": (_K.TARGET_GROUP, _Role.ARN),
    "target_group_arns": (_K.TARGET_GROUP, _Role.ARN),
    "target_group_name": (_K.TARGET_GROUP, _Role.NAME),
    "trust_store_arn": (_K.TRUST_STORE, _Role.ARN),
    "trust_store_arns": (_K.TRUST_STORE, _Role.ARN),
    "resource_arn": (_K.OTHER, _Role.ANY_ARN),
    "resource_arns": (_K.OTHER, _Role.ANY_ARN),
    "certificate_arn": (_K.CERTIFICATE, _Role.ARN),
    "ssl_certificate_id": (_K.CERTIFICATE, _Role.ARN),
    "instance_id": (_K.TARGET, _Role.TARGET),
    "policy_name": (_K.POLICY, _Role.POLICY),
    "policy_names": (_K.POLICY, _Role.POLICY),
}

#: Fields whose meaning depends on their class: ``(module, class, attribute)``.
_OWNED_FIELDS: Mapping[tuple[str, str, str], tuple[ResourceKind, _Role]] = {
    ("elbtrail.v2", "CreateLoadBalancerRequest", "name"): (
        _K.LOAD_BALANCER,
        _Role.NAME,
    ),
    ("elbtrail.v2", "DescribeLoadBalancersRequest", "names"): (
        _K.LOAD_BALANCER,
        _Role.NAME,
    ),
    ("elbtrail.v2", "CreateTargetGroupRequest", "name"): (_K.TARGET_GROUP, _Role.NAME),
    ("elbtrail.v2", "DescribeTargetGroupsRequest", "names"): (
        _K.TARGET_GROUP,
        _Role.NAME,
    ),
    ("elbtrail.v2", "CreateTrustStoreRequest", "name"): (_K.TRUST_STORE, _Role.NAME),
    ("elbtrail.v2", "DescribeTrustStoresRequest", "names"): (
        _K.TRUST_STORE,
        _Role.NAME,
    ),
    ("elbtrail.v2", "TrustStore", "name"): (_K.TRUST_STORE, _Role.NAME),
    ("elbtrail.v2", "TargetDescription", "id"): (_K.TARGET, _Role.TARGET),
}

#: Fields that look like resources but are not acted on: a policy name inside
#: a description of the load balancer's current policies says what is there.
_IGNORED_FIELDS = frozenset(
    {
        ("elbtrail.classic", "PolicyDescription", "policy_name"),
    }
)

#: Responses that report the state of the account rather than what the call
#: acted on: every read, and the Classic calls that answer with all the
#: instances now registered.
_STATE_RESPONSES = frozenset(
    {"RegisterInstancesWithLoadBalancer", "DeregisterInstancesFromLoadBalancer"}
)
_READ_PREFIXES = ("Describe", "Get")

# What the walk does with each field of a class, decided once per class: a
# rule for fields that name a resource, ``None`` for fields that may hold
# models (or lists of them) to walk into.
_Plan = tuple[tuple[str, "tuple[ResourceKind, _Role] | None"], ...]
_PLANS: dict[type[Model], _Plan] = {}
_PLANS_LOCK = threading.Lock()
_NOT_WALKED = frozenset({"extra", "verbatim"})


def _plan(cls: type[Model]) -> _Plan:
    try:
        return _PLANS[cls]
    except KeyError:
        pass
    with _PLANS_LOCK:
        try:
            hints: Mapping[str, Any] | None = typing.get_type_hints(cls)
        except (NameError, TypeError):  # an annotation that does not resolve
            hints = None
        steps: list[tuple[str, tuple[ResourceKind, _Role] | None]] = []
        for field in attrs.fields(cls):
            name = field.name
            if name in _NOT_WALKED:
                continue
            owner = (public_module(cls), cls.__qualname__, name)
            if owner in _IGNORED_FIELDS:
                continue
            rule = _OWNED_FIELDS.get(owner) or _FIELDS.get(name)
            if rule is None and hints is not None and not _may_hold_models(hints[name]):
                continue  # a plain value that names nothing
            steps.append((name, rule))
        # Names first, so that a Classic load balancer's name is known before
        # the ports and policies in the same object are read.
        steps.sort(key=lambda step: step[1] is None or step[1][1] is not _Role.NAME)
        plan = tuple(steps)
        _PLANS[cls] = plan
        return plan


def _may_hold_models(annotation: Any) -> bool:
    """Whether a field so annotated can hold models (directly, or in a container)."""
    if annotation is Any:
        return True
    # Containers first: before 3.11, ``tuple[X, ...]`` passes for a type.
    if typing.get_origin(annotation) is not None:
        return any(_may_hold_models(arg) for arg in typing.get_args(annotation))
    return isinstance(annotation, type) and issubclass(annotation, Model)


# -- ARNs -------------------------------------------------------------------------

_ARN_TYPES: Mapping[str, tuple[ResourceKind, int | None]] = {
    # resource type -> (kind, index of the name among the "/"-parts)
    "loadbalancer": (_K.LOAD_BALANCER, 2),
    "listener": (_K.LISTENER, None),
    "listener-rule": (_K.RULE, None),
    "targetgroup": (_K.TARGET_GROUP, 1),
    "truststore": (_K.TRUST_STORE, 1),
}


def _elb_resource(arn: str) -> str | None:
    """Return the resource part of an ELB ARN, or ``None`` for any other text."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "elasticloadbalancing":
        return None
    return parts[5]


def _from_arn(arn: str, kind: ResourceKind | None) -> TouchedResource:
    """Build a resource from an ARN; *kind* ``None`` takes the ARN's own kind."""
    resource = _elb_resource(arn)
    if resource is None:
        return TouchedResource(kind or _K.OTHER, arn=arn)
    parts = resource.split("/")
    arn_kind, name_at = _ARN_TYPES.get(parts[0], (_K.OTHER, None))
    if parts[0] == "loadbalancer" and len(parts) == 2:  # Classic: loadbalancer/name
        name_at = 1
    elif parts[0] == "loadbalancer" and len(parts) != 4:  # not type/name/id
        name_at = None
    name = parts[name_at] if name_at is not None and name_at < len(parts) else None
    if kind is not None and kind is not arn_kind:
        # The field says what the resource is; a name read from an ARN of
        # another kind would be a wrong name.
        name = None
    return TouchedResource(kind or arn_kind, name=name or None, arn=arn)


# -- the walk ---------------------------------------------------------------------


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, tuple):
        yield from value
    else:
        yield value


def _found(
    kind: ResourceKind, role: _Role, value: Any, classic_lb: str | None
) -> TouchedResource | None:
    if role is _Role.PORT:
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        name = f"{classic_lb}:{value}" if classic_lb else str(value)
        return TouchedResource(kind, name=name)
    if not isinstance(value, str) or not value:
        return None
    if role is _Role.ARN:
        if value.startswith("arn:"):
            return _from_arn(value, kind)
        # An IAM server certificate's ID, or a damaged value: kept as a name.
        return TouchedResource(kind, name=value)
    if role is _Role.ANY_ARN:
        return _from_arn(value, None)
    if role is _Role.TARGET:
        if value.startswith("arn:"):
            return TouchedResource(kind, arn=value)
        return TouchedResource(kind, name=value)
    if role is _Role.POLICY:
        return TouchedResource(
            kind, name=f"{classic_lb}:{value}" if classic_lb else value
        )
    return TouchedResource(kind, name=value)


def _walk(
    model: Model,
    classic_lb: str | None,
    out: list[list[tuple[TouchedResource, bool]]],
) -> None:
    """
    Append what *model* names, depth first: one list per object.

    Each item is a resource and whether its field held one value (not a list).
    """
    own: list[tuple[TouchedResource, bool]] = []
    out.append(own)
    for name, rule in _plan(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        if rule is None:
            for item in _leaves(value):
                if isinstance(item, Model):
                    _walk(item, classic_lb, out)
            continue
        kind, role = rule
        single = not isinstance(value, tuple)
        for item in _leaves(value):
            found = _found(kind, role, item, classic_lb)
            if found is None:
                continue
            own.append((found, single))
            if single and kind is _K.LOAD_BALANCER and role is _Role.NAME:
                # The Classic load balancer whose ports and policies follow.
                classic_lb = found.name


def _pair_within(own: list[tuple[TouchedResource, bool]]) -> list[TouchedResource]:
    """
    Join an object's one ARN and one name of the same kind into one resource.

    ``{"loadBalancerArn": ..., "loadBalancerName": ...}`` is one load balancer;
    the items of ``loadBalancerArns`` and ``names`` are not paired.
    """
    result = [resource for resource, _ in own]
    by_kind: dict[ResourceKind, list[int]] = {}
    for index, (resource, single) in enumerate(own):
        if single:
            by_kind.setdefault(resource.kind, []).append(index)
    dropped: set[int] = set()
    for indices in by_kind.values():
        if len(indices) != 2:  # one ARN and one name, or nothing to pair
            continue
        first, second = indices
        if result[first].arn is None:
            first, second = second, first
        with_arn, named = result[first], result[second]
        if with_arn.arn is None or named.arn is not None:
            continue
        if with_arn.name not in (None, named.name):
            continue
        result[first] = attrs.evolve(with_arn, name=named.name)
        dropped.add(second)
    return [resource for index, resource in enumerate(result) if index not in dropped]


def _merged(found: list[TouchedResource]) -> tuple[TouchedResource, ...]:
    """Drop repeats, and a name-only resource that an ARN of the same name covers."""
    by_arn: dict[str, TouchedResource] = {}
    named_arns: dict[tuple[ResourceKind, str], str] = {}
    for resource in found:
        if resource.arn is None:
            continue
        known = by_arn.get(resource.arn)
        if known is None or (known.name is None and resource.name is not None):
            by_arn[resource.arn] = resource
        if resource.name is not None:
            named_arns.setdefault((resource.kind, resource.name), resource.arn)
    result: list[TouchedResource] = []
    seen: set[tuple[ResourceKind, str | None, str | None]] = set()
    for resource in found:
        if resource.arn is not None:
            resource = by_arn[resource.arn]  # noqa: PLW2901 - the best-named copy
        elif resource.name is not None and (resource.kind, resource.name) in named_arns:
            resource = by_arn[named_arns[resource.kind, resource.name]]  # noqa: PLW2901
        ident = (resource.kind, resource.name, resource.arn)
        if resource.arn is not None:
            ident = (resource.kind, None, resource.arn)
        if ident in seen:
            continue
        seen.add(ident)
        result.append(resource)
    return tuple(result)


def _raw_arns(value: Any, out: list[TouchedResource]) -> None:
    """Find ELB ARNs anywhere in JSON that has no typed model, at any depth."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _elb_resource(item) is not None:
                out.append(_from_arn(item, None))
        elif isinstance(item, Mapping):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            pending.extend(reversed(item))


def touched_resources(event: Event) -> tuple[TouchedResource, ...]:
    """
    Return the resources an ELB call named or acted on.

    Read from the call's typed request parameters, then its response elements
    (for calls that change something: the response of a read, or of a Classic
    registration, lists what exists rather than what was acted on), then the
    record's ``resources``. A resource named several times (by name in the
    request, by ARN and name in the response) is given once, with both.
    Failed calls give what they asked to act on. For an ELB action elbtrail
    has no model for, any ELB ARN in the parameters is given.

    Args:
        event: A parsed record.

    Returns:
        The resources; empty for calls of other services and calls that name
        no resource (``DescribeAccountLimits``).

    Added in version 0.1.0.
    """
    if not event.is_elb:
        return ()
    objects: list[list[tuple[TouchedResource, bool]]] = []
    raw: list[TouchedResource] = []
    name = event.event_name or ""
    parts = [event.request_parameters]
    if not (name.startswith(_READ_PREFIXES) or name in _STATE_RESPONSES):
        parts.append(event.response_elements)
    for part in parts:
        if isinstance(part, Model):
            _walk(part, None, objects)
        elif part is not None:
            _raw_arns(part, raw)
    found = [resource for own in objects for resource in _pair_within(own)]
    found.extend(raw)
    found.extend(
        _from_arn(resource.arn, None)
        for resource in event.resources or ()
        if isinstance(resource.arn, str) and resource.arn
    )
    return _merged(found)
