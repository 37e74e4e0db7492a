"""
What each ELB call does to the resources it names, one applier per action.

An applier reads the call's typed request parameters and response elements
(`elbtrail.classic` and `elbtrail.v2` models) and tells the `_Replay` which
states to put and which resources end. Create calls take the whole object
from their response; modify calls change only what they name; delete calls
end a resource and what hangs from it. Where a response carries the full
value after the call (``RegisterInstancesWithLoadBalancer`` answers with
every registered instance) the applier takes it rather than the request's
delta.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from ._actions import Api
from ._describe import api_case
from ._model import Model
from ._state import (
    ClassicLoadBalancerState,
    ListenerState,
    LoadBalancerState,
    ResourceState,
    RuleState,
    StateKind,
    TargetGroupState,
    TrustStoreState,
    frozen_json,
)

__all__ = ["APPLIERS", "Applier", "Replay"]

StateT = TypeVar("StateT", bound=ResourceState)


class Replay:
    """The current states while calls are applied in order, and what each call did."""

    def __init__(self, states: dict[str, ResourceState] | None = None) -> None:
        self.states: dict[str, ResourceState] = dict(states or {})
        #: The time of the call being applied.
        self.now: datetime | None = None
        #: ``(resource id, kind, before, after, known, note)`` for the call
        #: being applied.
        self.effects: list[
            tuple[str, StateKind, ResourceState | None, ResourceState | None, bool, str]
        ] = []

    def get(self, cls: type[StateT], rid: str) -> tuple[StateT, bool]:
        """The state of *rid*, or a new partial one; and whether it was known."""
        state = self.states.get(rid)
        if isinstance(state, cls):
            return state, True
        return cls(id=rid), False

    def put(self, state: ResourceState, *, known: bool = True, note: str = "") -> None:
        """Make *state* current, recording the change."""
        before = self.states.get(state.id)
        self.states[state.id] = state
        self.effects.append((state.id, state.kind, before, state, known, note))

    def create(self, state: ResourceState) -> None:
        """
        Make a created *state* current.

        Creating what exists already is idempotent in AWS: the answer is the
        existing object, whose registrations, tags and attributes stay.
        """
        existing = self.states.get(state.id)
        if type(existing) is not type(state) or existing is None:
            self.put(state, note="created")
            return
        merged = dict(existing.description)
        merged.update(
            (k, v)
            for k, v in state.description.items()
            if k not in _SET_EMPTY_ON_CREATE or k not in merged
        )
        again = attrs.evolve(
            existing, description=MappingProxyType(merged), since=self.now
        )
        self.put(again, known=existing.complete, note="created again")

    def end(self, rid: str, kind: StateKind, *, note: str = "") -> None:
        """End resource *rid*, recording the change even if it was not known."""
        before = self.states.pop(rid, None)
        self.effects.append((rid, kind, before, None, before is not None, note))

    def update(
        self,
        cls: type[StateT],
        rid: str,
        *,
        note: str = "",
        partial: bool = False,
        **fields: Any,
    ) -> None:
        """Change *fields* of *rid*'s state (``description`` keys are merged)."""
        state, seen = self.get(cls, rid)
        description = fields.pop("description", None)
        drop = fields.pop("drop", ())
        if description is not None or drop:
            merged = dict(state.description)
            merged.update({k: frozen_json(v) for k, v in (description or {}).items()})
            for name in drop:
                merged.pop(name, None)
            fields["description"] = MappingProxyType(merged)
        new = attrs.evolve(state, since=self.now, **fields)
        self.put(new, known=seen and state.complete and not partial, note=note)


# What a create starts empty, as the API does, rather than reads from the call.
_SET_EMPTY_ON_CREATE = frozenset({"Instances", "Policies", "BackendServerDescriptions"})


def _aws(value: object) -> Any:
    """A typed model (or a list of them) in the API's casing."""
    if isinstance(value, tuple | list):
        return [_aws(v) for v in value]
    if isinstance(value, Model):
        return api_case(value.to_dict())
    return value


def _tags(tags: Iterable[Any] | None) -> dict[str, str]:
    return {t.key: t.value or "" for t in tags or () if t.key is not None}


# ---------------------------------------------------------------------------
# Classic Load Balancers


def _classic_listener(listener: Any) -> dict[str, Any]:
    item = _aws(listener)
    # The API answers with the instance protocol even where the caller left
    # it to the default, which is the front end's own for HTTP and TCP.
    if "InstanceProtocol" not in item and item.get("Protocol") in ("HTTP", "TCP"):
        item["InstanceProtocol"] = item["Protocol"]
    return {"Listener": item, "PolicyNames": []}


def _classic_create(r: Replay, req: Any, resp: Any) -> None:
    name = req.load_balancer_name
    if not isinstance(name, str):
        return
    description: dict[str, Any] = {
        "LoadBalancerName": name,
        "ListenerDescriptions": [_classic_listener(x) for x in req.listeners or ()],
        "Policies": {
            "AppCookieStickinessPolicies": [],
            "LBCookieStickinessPolicies": [],
            "OtherPolicies": [],
        },
        "BackendServerDescriptions": [],
        "Instances": [],
        "Scheme": req.scheme or "internet-facing",
    }
    if getattr(resp, "dns_name", None):
        description["DNSName"] = resp.dns_name
    for field, value in (
        ("AvailabilityZones", req.availability_zones),
        ("Subnets", req.subnets),
        ("SecurityGroups", req.security_groups),
    ):
        if value:
            description[field] = list(value)
    r.create(
        ClassicLoadBalancerState(
            id=name,
            description=frozen_json(description),
            tags=frozen_json(_tags(req.tags)),
            complete=True,
            since=r.now,
        )
    )


def _classic_delete(r: Replay, req: Any, _resp: Any) -> None:
    if isinstance(req.load_balancer_name, str):
        r.end(req.load_balancer_name, StateKind.CLASSIC_LOAD_BALANCER, note="deleted")


def _listeners_by_port(state: ResourceState) -> dict[Any, Any] | None:
    items = state.description.get("ListenerDescriptions")
    if items is None:
        return None
    return {(i.get("Listener") or {}).get("LoadBalancerPort"): dict(i) for i in items}


def _classic_listeners(
    r: Replay, name: str, change: Callable[[dict[Any, Any]], str]
) -> None:
    state, _ = r.get(ClassicLoadBalancerState, name)
    by_port = _listeners_by_port(state)
    if by_port is None:
        r.update(ClassicLoadBalancerState, name, partial=True, note=change({}))
        return
    note = change(by_port)
    r.update(
        ClassicLoadBalancerState,
        name,
        note=note,
        description={"ListenerDescriptions": list(by_port.values())},
    )


def _classic_create_listeners(r: Replay, req: Any, _resp: Any) -> None:
    def change(by_port: dict[Any, Any]) -> str:
        for listener in req.listeners or ():
            by_port[listener.load_balancer_port] = _classic_listener(listener)
        ports = ", ".join(str(x.load_balancer_port) for x in req.listeners or ())
        return f"listeners added on port {ports}"

    if isinstance(req.load_balancer_name, str):
        _classic_listeners(r, req.load_balancer_name, change)


def _classic_delete_listeners(r: Replay, req: Any, _resp: Any) -> None:
    def change(by_port: dict[Any, Any]) -> str:
        for port in req.load_balancer_ports or ():
            by_port.pop(port, None)
        ports = ", ".join(str(p) for p in req.load_balancer_ports or ())
        return f"listeners removed from port {ports}"

    if isinstance(req.load_balancer_name, str):
        _classic_listeners(r, req.load_balancer_name, change)


def _classic_certificate(r: Replay, req: Any, _resp: Any) -> None:
    def change(by_port: dict[Any, Any]) -> str:
        item = by_port.get(req.load_balancer_port)
        if item is not None:
            listener = dict(item["Listener"])
            listener["SSLCertificateId"] = req.ssl_certificate_id
            by_port[req.load_balancer_port] = {**item, "Listener": listener}
        return f"certificate of port {req.load_balancer_port}: {req.ssl_certificate_id}"

    if isinstance(req.load_balancer_name, str):
        _classic_listeners(r, req.load_balancer_name, change)


def _classic_listener_policies(r: Replay, req: Any, _resp: Any) -> None:
    names = list(req.policy_names or ())

    def change(by_port: dict[Any, Any]) -> str:
        item = by_port.get(req.load_balancer_port)
        if item is not None:
            by_port[req.load_balancer_port] = {**item, "PolicyNames": names}
        return f"policies of port {req.load_balancer_port}: {', '.join(names)}"

    if isinstance(req.load_balancer_name, str):
        _classic_listeners(r, req.load_balancer_name, change)


def _set_list(
    r: Replay,
    name: Any,
    field: str,
    full: Iterable[Any] | None,
    *,
    add: Iterable[Any] = (),
    remove: Iterable[Any] = (),
    note: str,
) -> None:
    """Set a Classic list field from the response's full value or the delta."""
    if not isinstance(name, str):
        return
    if full is not None:
        value = list(full)
        r.update(ClassicLoadBalancerState, name, note=note, description={field: value})
        return
    state, _ = r.get(ClassicLoadBalancerState, name)
    current = state.description.get(field)
    if current is None:
        r.update(ClassicLoadBalancerState, name, note=note, partial=True)
        return
    gone = list(remove)
    value = [x for x in current if x not in gone]
    value += [x for x in add if x not in value]
    r.update(ClassicLoadBalancerState, name, note=note, description={field: value})


def _instances(items: Iterable[Any] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    return [{"InstanceId": i.instance_id} for i in items]


def _classic_register(r: Replay, req: Any, resp: Any) -> None:
    ids = ", ".join(str(i.instance_id) for i in req.instances or ())
    _set_list(
        r,
        req.load_balancer_name,
        "Instances",
        _instances(getattr(resp, "instances", None)),
        add=_instances(req.instances) or (),
        note=f"registered {ids}",
    )


def _classic_deregister(r: Replay, req: Any, resp: Any) -> None:
    ids = ", ".join(str(i.instance_id) for i in req.instances or ())
    _set_list(
        r,
        req.load_balancer_name,
        "Instances",
        _instances(getattr(resp, "instances", None)),
        remove=_instances(req.instances) or (),
        note=f"deregistered {ids}",
    )


def _classic_zones(*, enable: bool) -> Callable[[Replay, Any, Any], None]:
    def apply(r: Replay, req: Any, resp: Any) -> None:
        zones = list(req.availability_zones or ())
        _set_list(
            r,
            req.load_balancer_name,
            "AvailabilityZones",
            getattr(resp, "availability_zones", None),
            add=zones if enable else (),
            remove=() if enable else zones,
            note=f"zones {'enabled' if enable else 'disabled'}: {', '.join(zones)}",
        )

    return apply


def _classic_subnets(*, attach: bool) -> Callable[[Replay, Any, Any], None]:
    def apply(r: Replay, req: Any, resp: Any) -> None:
        subnets = list(req.subnets or ())
        _set_list(
            r,
            req.load_balancer_name,
            "Subnets",
            getattr(resp, "subnets", None),
            add=subnets if attach else (),
            remove=() if attach else subnets,
            note=f"subnets {'attached' if attach else 'detached'}: "
            + ", ".join(subnets),
        )

    return apply


def _classic_security_groups(r: Replay, req: Any, resp: Any) -> None:
    groups = getattr(resp, "security_groups", None) or req.security_groups
    _set_list(
        r,
        req.load_balancer_name,
        "SecurityGroups",
        groups,
        note="security groups set",
    )


def _classic_health_check(r: Replay, req: Any, resp: Any) -> None:
    check = getattr(resp, "health_check", None) or req.health_check
    if isinstance(req.load_balancer_name, str) and check is not None:
        r.update(
            ClassicLoadBalancerState,
            req.load_balancer_name,
            note="health check configured",
            description={"HealthCheck": _aws(check)},
        )


def _merge_classic_attributes(
    current: Mapping[str, Any] | None, change: Mapping[str, Any]
) -> dict[str, Any]:
    merged: dict[str, Any] = dict(current or {})
    for name, value in change.items():
        if name == "AdditionalAttributes" and isinstance(value, list):
            # Merged by key; a damaged item (no key, not an object) is kept
            # as it came, since the trail says no more of it.
            items = [*(merged.get(name) or ()), *value]
            by_key = {
                (a.get("Key") if isinstance(a, Mapping) else repr(a)): a for a in items
            }
            merged[name] = list(by_key.values())
        elif isinstance(value, Mapping):
            merged[name] = {**(merged.get(name) or {}), **value}
        else:
            merged[name] = value
    return merged


def _classic_attributes(r: Replay, req: Any, resp: Any) -> None:
    name = req.load_balancer_name
    if not isinstance(name, str):
        return
    state, _ = r.get(ClassicLoadBalancerState, name)
    merged = state.attributes
    for part in (
        req.load_balancer_attributes,
        getattr(resp, "load_balancer_attributes", None),
    ):
        if part is not None:
            merged = _merge_classic_attributes(merged, _aws(part))
    r.update(
        ClassicLoadBalancerState,
        name,
        note="attributes modified",
        attributes=frozen_json(merged),
    )


def _policies(state: ResourceState) -> dict[str, list[Any]] | None:
    value = state.description.get("Policies")
    return None if value is None else {k: list(v) for k, v in value.items()}


def _classic_policy(kind: str) -> Callable[[Replay, Any, Any], None]:
    def apply(r: Replay, req: Any, _resp: Any) -> None:
        name = req.load_balancer_name
        if not isinstance(name, str):
            return
        state, _ = r.get(ClassicLoadBalancerState, name)
        policies = _policies(state)
        note = f"policy {req.policy_name} created"
        if policies is None:
            r.update(ClassicLoadBalancerState, name, partial=True, note=note)
            return
        if kind == "AppCookieStickinessPolicies":
            item: Any = {"PolicyName": req.policy_name, "CookieName": req.cookie_name}
        elif kind == "LBCookieStickinessPolicies":
            item = {"PolicyName": req.policy_name}
            if req.cookie_expiration_period is not None:
                item["CookieExpirationPeriod"] = req.cookie_expiration_period
        else:
            item = req.policy_name
        policies[kind].append(item)
        r.update(
            ClassicLoadBalancerState,
            name,
            note=note,
            description={"Policies": policies},
        )

    return apply


def _classic_delete_policy(r: Replay, req: Any, _resp: Any) -> None:
    name = req.load_balancer_name
    if not isinstance(name, str):
        return
    state, _ = r.get(ClassicLoadBalancerState, name)
    policies = _policies(state)
    note = f"policy {req.policy_name} deleted"
    if policies is None:
        r.update(ClassicLoadBalancerState, name, partial=True, note=note)
        return
    for kind, items in policies.items():
        policies[kind] = [
            p
            for p in items
            if (p.get("PolicyName") if isinstance(p, Mapping) else p) != req.policy_name
        ]
    r.update(
        ClassicLoadBalancerState, name, note=note, description={"Policies": policies}
    )


def _classic_backend_policies(r: Replay, req: Any, _resp: Any) -> None:
    name = req.load_balancer_name
    if not isinstance(name, str):
        return
    state, _ = r.get(ClassicLoadBalancerState, name)
    current = state.description.get("BackendServerDescriptions")
    note = f"policies of instance port {req.instance_port} set"
    if current is None:
        r.update(ClassicLoadBalancerState, name, partial=True, note=note)
        return
    items = [b for b in current if b.get("InstancePort") != req.instance_port]
    if req.policy_names:
        items.append(
            {"InstancePort": req.instance_port, "PolicyNames": list(req.policy_names)}
        )
    r.update(
        ClassicLoadBalancerState,
        name,
        note=note,
        description={"BackendServerDescriptions": items},
    )


def _change_tags(
    r: Replay,
    ids: Iterable[Any],
    cls: type[ResourceState] | None,
    *,
    add: Mapping[str, str] | None = None,
    remove: Iterable[str] = (),
) -> None:
    keys = list(remove)
    for rid in ids:
        if not isinstance(rid, str):
            continue
        state = r.states.get(rid)
        kind = cls or (type(state) if state is not None else _kind_of_arn(rid))
        if kind is None:
            continue
        current, _ = r.get(kind, rid)
        if add:
            note = "tags added: " + ", ".join(f"{k}={v}" for k, v in add.items())
        else:
            note = "tags removed: " + ", ".join(keys)
        if current.tags is None:
            r.update(kind, rid, partial=True, note=note)
            continue
        tags = {k: v for k, v in current.tags.items() if k not in keys}
        tags.update(add or {})
        r.update(kind, rid, note=note, tags=frozen_json(tags))


def _classic_add_tags(r: Replay, req: Any, _resp: Any) -> None:
    names = req.load_balancer_names or ()
    _change_tags(r, names, ClassicLoadBalancerState, add=_tags(req.tags))


def _classic_remove_tags(r: Replay, req: Any, _resp: Any) -> None:
    keys = [t.key for t in req.tags or () if t.key is not None]
    names = req.load_balancer_names or ()
    _change_tags(r, names, ClassicLoadBalancerState, remove=keys)


# ---------------------------------------------------------------------------
# ELBv2


def _kind_of_arn(arn: str) -> type[ResourceState] | None:
    resource = arn.split(":", 5)[-1]
    for prefix, cls in (
        ("loadbalancer/", LoadBalancerState),
        ("listener/", ListenerState),
        ("listener-rule/", RuleState),
        ("targetgroup/", TargetGroupState),
        ("truststore/", TrustStoreState),
    ):
        if resource.startswith(prefix):
            return cls
    return None


def _first(items: Any) -> Any:
    return items[0] if items else None


def _v2_create_load_balancer(r: Replay, req: Any, resp: Any) -> None:
    lb = _first(getattr(resp, "load_balancers", None))
    if lb is None or not isinstance(lb.load_balancer_arn, str):
        return
    description = _aws(lb)
    if lb.created_time is not None:
        description["CreatedTime"] = lb.created_time
    r.create(
        LoadBalancerState(
            id=lb.load_balancer_arn,
            description=frozen_json(description),
            tags=frozen_json(_tags(req.tags)),
            complete=True,
            since=r.now,
        )
    )


def _end_listener(r: Replay, arn: str, note: str) -> None:
    for rule in [
        s
        for s in r.states.values()
        if isinstance(s, RuleState) and s.listener_arn == arn
    ]:
        r.end(rule.id, StateKind.RULE, note=note)
    r.end(arn, StateKind.LISTENER, note=note)


def _v2_delete_load_balancer(r: Replay, req: Any, _resp: Any) -> None:
    arn = req.load_balancer_arn
    if not isinstance(arn, str):
        return
    for listener in [
        s
        for s in r.states.values()
        if isinstance(s, ListenerState) and s.load_balancer_arn == arn
    ]:
        _end_listener(r, listener.id, "deleted with its load balancer")
    r.end(arn, StateKind.LOAD_BALANCER, note="deleted")


def _v2_security_groups(r: Replay, req: Any, resp: Any) -> None:
    groups = getattr(resp, "security_group_ids", None) or req.security_groups
    if not isinstance(req.load_balancer_arn, str) or groups is None:
        return
    description: dict[str, Any] = {"SecurityGroups": list(groups)}
    enforce = (
        getattr(
            resp, "enforce_security_group_inbound_rules_on_private_link_traffic", None
        )
        or req.enforce_security_group_inbound_rules_on_private_link_traffic
    )
    if enforce is not None:
        description["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] = str(
            enforce
        )
    r.update(
        LoadBalancerState,
        req.load_balancer_arn,
        note="security groups set",
        description=description,
    )


def _v2_subnets(r: Replay, req: Any, resp: Any) -> None:
    if not isinstance(req.load_balancer_arn, str):
        return
    description: dict[str, Any] = {}
    zones = getattr(resp, "availability_zones", None)
    if zones is not None:
        description["AvailabilityZones"] = _aws(zones)
    address_type = getattr(resp, "ip_address_type", None)
    if address_type is not None:
        description["IpAddressType"] = str(address_type)
    prefix = getattr(resp, "enable_prefix_for_ipv6_source_nat", None)
    if prefix is not None:
        description["EnablePrefixForIpv6SourceNat"] = str(prefix)
    r.update(
        LoadBalancerState,
        req.load_balancer_arn,
        note="subnets set",
        partial=zones is None,
        description=description,
        # Without the response the new zones are not known: the old ones
        # are not kept as if they were.
        drop=("AvailabilityZones",) if zones is None else (),
    )


def _v2_ip_address_type(r: Replay, req: Any, resp: Any) -> None:
    value = getattr(resp, "ip_address_type", None) or req.ip_address_type
    if isinstance(req.load_balancer_arn, str) and value is not None:
        r.update(
            LoadBalancerState,
            req.load_balancer_arn,
            note="IP address type set",
            description={"IpAddressType": str(value)},
        )


def _v2_ip_pools(r: Replay, req: Any, resp: Any) -> None:
    arn = req.load_balancer_arn
    if not isinstance(arn, str):
        return
    pools = getattr(resp, "ipam_pools", None)
    if pools is not None:
        r.update(
            LoadBalancerState,
            arn,
            note="IPAM pools set",
            description={"IpamPools": _aws(pools)},
        )
    elif req.remove_ipam_pools:
        # The response names no pool once every pool is removed.
        r.update(LoadBalancerState, arn, note="IPAM pools removed", drop=("IpamPools",))
    else:
        r.update(LoadBalancerState, arn, note="IPAM pools set", partial=True)


def _v2_attributes(
    cls: type[ResourceState], arn_field: str
) -> Callable[[Replay, Any, Any], None]:
    def apply(r: Replay, req: Any, resp: Any) -> None:
        arn = getattr(req, arn_field)
        if not isinstance(arn, str):
            return
        state, _ = r.get(cls, arn)
        merged = dict(state.attributes or {})
        for part in (req.attributes, getattr(resp, "attributes", None)):
            merged.update({a.key: a.value for a in part or () if a.key is not None})
        changed = ", ".join(f"{a.key}={a.value}" for a in req.attributes or ())
        r.update(
            cls,
            arn,
            note=f"attributes modified: {changed}",
            attributes=frozen_json(merged),
        )

    return apply


def _certificate_arns(items: Iterable[Any] | None) -> list[str]:
    return [c.certificate_arn for c in items or () if c.certificate_arn]


def _listener_state(r: Replay, listener: Any, note: str, req: Any) -> None:
    arn = listener.listener_arn
    if not isinstance(arn, str):
        return
    description = _aws(listener)
    current, seen = r.get(ListenerState, arn)
    certificates = current.certificates
    default = _certificate_arns(listener.certificates)
    if note == "created":
        certificates = tuple(default)
        tags: Any = frozen_json(_tags(getattr(req, "tags", None)))
        complete = True
    else:
        if certificates is not None and default:
            # The first certificate of the response is the new default one.
            previous = current.description.get("Certificates") or ()
            old = {c.get("CertificateArn") for c in previous}
            kept = (c for c in certificates if c not in old | set(default))
            certificates = (*default, *kept)
        tags = current.tags
        complete = current.complete
    state = ListenerState(
        id=arn,
        description=frozen_json(description),
        certificates=certificates,
        tags=tags,
        attributes=current.attributes,
        complete=complete,
        since=r.now,
    )
    r.put(state, known=note == "created" or (seen and current.complete), note=note)


def _v2_create_listener(r: Replay, req: Any, resp: Any) -> None:
    listener = _first(getattr(resp, "listeners", None))
    if listener is not None:
        _listener_state(r, listener, "created", req)


def _requested(req: Any, arn_field: str) -> dict[str, Any]:
    """The fields a modify call names, in the API's casing, without the ARN."""
    fields: dict[str, Any] = _aws(req)
    fields.pop(arn_field, None)
    return fields


def _v2_modify_listener(r: Replay, req: Any, resp: Any) -> None:
    listener = _first(getattr(resp, "listeners", None))
    if listener is not None:
        _listener_state(r, listener, "modified", req)
    elif isinstance(req.listener_arn, str):
        # Without the response, the fields named take their new values; what
        # the service changed with them (a protocol's certificates) is not
        # known, nor is the list of certificates if the default one changed.
        extra: dict[str, Any] = {}
        if req.certificates:
            extra["certificates"] = None
        r.update(
            ListenerState,
            req.listener_arn,
            note="modified",
            partial=True,
            description=_requested(req, "ListenerArn"),
            **extra,
        )


def _v2_delete_listener(r: Replay, req: Any, _resp: Any) -> None:
    if isinstance(req.listener_arn, str):
        _end_listener(r, req.listener_arn, "deleted")


def _v2_listener_certificates(*, add: bool) -> Callable[[Replay, Any, Any], None]:
    def apply(r: Replay, req: Any, _resp: Any) -> None:
        arn = req.listener_arn
        if not isinstance(arn, str):
            return
        arns = _certificate_arns(req.certificates)
        state, _ = r.get(ListenerState, arn)
        note = f"certificates {'added' if add else 'removed'}: {', '.join(arns)}"
        if state.certificates is None:
            r.update(ListenerState, arn, partial=True, note=note)
            return
        current = [c for c in state.certificates if c not in arns]
        certificates = (*current, *arns) if add else tuple(current)
        r.update(ListenerState, arn, note=note, certificates=certificates)

    return apply


def _rule_state(r: Replay, rule: Any, note: str, req: Any) -> None:
    arn = rule.rule_arn
    if not isinstance(arn, str):
        return
    current, seen = r.get(RuleState, arn)
    created = note == "created"
    state = RuleState(
        id=arn,
        description=frozen_json(_aws(rule)),
        listener_arn=req.listener_arn if created else current.listener_arn,
        tags=frozen_json(_tags(req.tags)) if created else current.tags,
        complete=created or current.complete,
        since=r.now,
    )
    r.put(state, known=created or (seen and current.complete), note=note)


def _v2_create_rule(r: Replay, req: Any, resp: Any) -> None:
    rule = _first(getattr(resp, "rules", None))
    if rule is not None:
        _rule_state(r, rule, "created", req)


def _v2_modify_rule(r: Replay, req: Any, resp: Any) -> None:
    rules = getattr(resp, "rules", None)
    for rule in rules or ():
        _rule_state(r, rule, "modified", req)
    if not rules and isinstance(req.rule_arn, str):
        description = _requested(req, "RuleArn")
        description.pop("ResetTransforms", None)
        r.update(
            RuleState,
            req.rule_arn,
            note="modified",
            partial=True,
            description=description,
        )


def _v2_set_rule_priorities(r: Replay, req: Any, resp: Any) -> None:
    for rule in getattr(resp, "rules", None) or ():
        _rule_state(r, rule, "priority set", req)


def _v2_delete_rule(r: Replay, req: Any, _resp: Any) -> None:
    if isinstance(req.rule_arn, str):
        r.end(req.rule_arn, StateKind.RULE, note="deleted")


def _group_description(group: Any) -> dict[str, Any]:
    description: dict[str, Any] = _aws(group)
    # Which load balancers use a group follows from the listeners and rules,
    # and is worked out when a snapshot is described.
    description.pop("LoadBalancerArns", None)
    return description


def _v2_create_target_group(r: Replay, req: Any, resp: Any) -> None:
    group = _first(getattr(resp, "target_groups", None))
    if group is None or not isinstance(group.target_group_arn, str):
        return
    r.create(
        TargetGroupState(
            id=group.target_group_arn,
            description=frozen_json(_group_description(group)),
            targets=(),
            tags=frozen_json(_tags(req.tags)),
            complete=True,
            since=r.now,
        )
    )


def _v2_modify_target_group(r: Replay, req: Any, resp: Any) -> None:
    group = _first(getattr(resp, "target_groups", None))
    if group is not None and isinstance(group.target_group_arn, str):
        r.update(
            TargetGroupState,
            group.target_group_arn,
            note="modified",
            description=_group_description(group),
        )
    elif isinstance(req.target_group_arn, str):
        # Without the response, the health-check fields named take their new
        # values; what the service changed with them is not known.
        r.update(
            TargetGroupState,
            req.target_group_arn,
            note="modified",
            partial=True,
            description=_requested(req, "TargetGroupArn"),
        )


def _v2_delete_target_group(r: Replay, req: Any, _resp: Any) -> None:
    if isinstance(req.target_group_arn, str):
        r.end(req.target_group_arn, StateKind.TARGET_GROUP, note="deleted")


def _target(target: Any, port: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"Id": target.id}
    if target.port is not None or port is not None:
        item["Port"] = target.port if target.port is not None else port
    if target.availability_zone is not None:
        item["AvailabilityZone"] = target.availability_zone
    return item


def _v2_targets(*, register: bool) -> Callable[[Replay, Any, Any], None]:
    def apply(r: Replay, req: Any, _resp: Any) -> None:
        arn = req.target_group_arn
        if not isinstance(arn, str):
            return
        state, _ = r.get(TargetGroupState, arn)
        port = state.description.get("Port")
        given = [_target(t, port) for t in req.targets or ()]
        ids = ", ".join(
            f"{t['Id']}:{t['Port']}" if "Port" in t else str(t["Id"]) for t in given
        )
        note = f"{'registered' if register else 'deregistered'} {ids}"
        if state.targets is None:
            r.update(TargetGroupState, arn, partial=True, note=note)
            return
        keys = {(t["Id"], t.get("Port")) for t in given}
        kept = tuple(
            t for t in state.targets if (t.get("Id"), t.get("Port")) not in keys
        )
        targets = kept + frozen_json(given) if register else kept
        r.update(TargetGroupState, arn, note=note, targets=targets)

    return apply


def _v2_add_tags(r: Replay, req: Any, _resp: Any) -> None:
    _change_tags(r, req.resource_arns or (), None, add=_tags(req.tags))


def _v2_remove_tags(r: Replay, req: Any, _resp: Any) -> None:
    _change_tags(r, req.resource_arns or (), None, remove=req.tag_keys or ())


def _v2_trust_store(note: str) -> Callable[[Replay, Any, Any], None]:
    def apply(r: Replay, req: Any, resp: Any) -> None:
        store = _first(getattr(resp, "trust_stores", None))
        if store is None or not isinstance(store.trust_store_arn, str):
            return
        created = note == "created"
        current, seen = r.get(TrustStoreState, store.trust_store_arn)
        r.put(
            TrustStoreState(
                id=store.trust_store_arn,
                description=frozen_json(_aws(store)),
                tags=frozen_json(_tags(req.tags)) if created else current.tags,
                attributes=current.attributes,
                revocations=() if created else current.revocations,
                complete=created or current.complete,
                since=r.now,
            ),
            known=created or (seen and current.complete),
            note=note,
        )

    return apply


def _v2_add_revocations(r: Replay, req: Any, resp: Any) -> None:
    arn = req.trust_store_arn
    if not isinstance(arn, str):
        return
    added = [
        _aws(x)
        for x in getattr(resp, "trust_store_revocations", None) or ()
        if x.revocation_id is not None
    ]
    ids = ", ".join(str(x["RevocationId"]) for x in added)
    note = f"revocations added: {ids}" if added else "revocations added"
    state, _ = r.get(TrustStoreState, arn)
    total = state.description.get("TotalRevokedEntries")
    if getattr(resp, "trust_store_revocations", None) is None:
        # Without the response, what was added and how much is not known.
        r.update(
            TrustStoreState,
            arn,
            note=note,
            partial=True,
            revocations=None,
            drop=("TotalRevokedEntries",),
        )
        return
    count = sum(x.get("NumberOfRevokedEntries") or 0 for x in added)
    description = {}
    if isinstance(total, int):
        description["TotalRevokedEntries"] = total + count
    revocations = (
        None if state.revocations is None else (*state.revocations, *frozen_json(added))
    )
    r.update(
        TrustStoreState,
        arn,
        note=note,
        description=description,
        revocations=revocations,
    )


def _v2_remove_revocations(r: Replay, req: Any, _resp: Any) -> None:
    arn = req.trust_store_arn
    if not isinstance(arn, str):
        return
    gone = set(req.revocation_ids or ())
    note = "revocations removed: " + ", ".join(str(i) for i in req.revocation_ids or ())
    state, _ = r.get(TrustStoreState, arn)
    if state.revocations is None:
        # How many entries the removed lists held is not known.
        r.update(
            TrustStoreState,
            arn,
            note=note,
            partial=True,
            drop=("TotalRevokedEntries",),
        )
        return
    removed = [x for x in state.revocations if x.get("RevocationId") in gone]
    kept = tuple(x for x in state.revocations if x.get("RevocationId") not in gone)
    description = {}
    total = state.description.get("TotalRevokedEntries")
    if isinstance(total, int):
        count = sum(x.get("NumberOfRevokedEntries") or 0 for x in removed)
        description["TotalRevokedEntries"] = total - count
    r.update(
        TrustStoreState,
        arn,
        note=note,
        description=description,
        revocations=kept,
    )


def _v2_delete_trust_store(r: Replay, req: Any, _resp: Any) -> None:
    if isinstance(req.trust_store_arn, str):
        r.end(req.trust_store_arn, StateKind.TRUST_STORE, note="deleted")


Applier = Callable[[Replay, Any, Any], None]

#: Action to applier; actions not listed change nothing (Describe*).
APPLIERS: Mapping[tuple[Api, str], Applier] = {
    (Api.CLASSIC, "CreateLoadBalancer"): _classic_create,
    (Api.CLASSIC, "DeleteLoadBalancer"): _classic_delete,
    (Api.CLASSIC, "CreateLoadBalancerListeners"): _classic_create_listeners,
    (Api.CLASSIC, "DeleteLoadBalancerListeners"): _classic_delete_listeners,
    (Api.CLASSIC, "SetLoadBalancerListenerSSLCertificate"): _classic_certificate,
    (Api.CLASSIC, "SetLoadBalancerPoliciesOfListener"): _classic_listener_policies,
    (Api.CLASSIC, "RegisterInstancesWithLoadBalancer"): _classic_register,
    (Api.CLASSIC, "DeregisterInstancesFromLoadBalancer"): _classic_deregister,
    (Api.CLASSIC, "EnableAvailabilityZonesForLoadBalancer"): _classic_zones(
        enable=True
    ),
    (Api.CLASSIC, "DisableAvailabilityZonesForLoadBalancer"): _classic_zones(
        enable=False
    ),
    (Api.CLASSIC, "AttachLoadBalancerToSubnets"): _classic_subnets(attach=True),
    (Api.CLASSIC, "DetachLoadBalancerFromSubnets"): _classic_subnets(attach=False),
    (Api.CLASSIC, "ApplySecurityGroupsToLoadBalancer"): _classic_security_groups,
    (Api.CLASSIC, "ConfigureHealthCheck"): _classic_health_check,
    (Api.CLASSIC, "ModifyLoadBalancerAttributes"): _classic_attributes,
    (Api.CLASSIC, "CreateAppCookieStickinessPolicy"): _classic_policy(
        "AppCookieStickinessPolicies"
    ),
    (Api.CLASSIC, "CreateLBCookieStickinessPolicy"): _classic_policy(
        "LBCookieStickinessPolicies"
    ),
    (Api.CLASSIC, "CreateLoadBalancerPolicy"): _classic_policy("OtherPolicies"),
    (Api.CLASSIC, "DeleteLoadBalancerPolicy"): _classic_delete_policy,
    (Api.CLASSIC, "SetLoadBalancerPoliciesForBackendServer"): _classic_backend_policies,
    (Api.CLASSIC, "AddTags"): _classic_add_tags,
    (Api.CLASSIC, "RemoveTags"): _classic_remove_tags,
    (Api.V2, "CreateLoadBalancer"): _v2_create_load_balancer,
    (Api.V2, "DeleteLoadBalancer"): _v2_delete_load_balancer,
    (Api.V2, "SetSecurityGroups"): _v2_security_groups,
    (Api.V2, "SetSubnets"): _v2_subnets,
    (Api.V2, "SetIpAddressType"): _v2_ip_address_type,
    (Api.V2, "ModifyIpPools"): _v2_ip_pools,
    (Api.V2, "ModifyLoadBalancerAttributes"): _v2_attributes(
        LoadBalancerState, "load_balancer_arn"
    ),
    (Api.V2, "CreateListener"): _v2_create_listener,
    (Api.V2, "ModifyListener"): _v2_modify_listener,
    (Api.V2, "DeleteListener"): _v2_delete_listener,
    (Api.V2, "ModifyListenerAttributes"): _v2_attributes(ListenerState, "listener_arn"),
    (Api.V2, "AddListenerCertificates"): _v2_listener_certificates(add=True),
    (Api.V2, "RemoveListenerCertificates"): _v2_listener_certificates(add=False),
    (Api.V2, "CreateRule"): _v2_create_rule,
    (Api.V2, "ModifyRule"): _v2_modify_rule,
    (Api.V2, "SetRulePriorities"): _v2_set_rule_priorities,
    (Api.V2, "DeleteRule"): _v2_delete_rule,
    (Api.V2, "CreateTargetGroup"): _v2_create_target_group,
    (Api.V2, "ModifyTargetGroup"): _v2_modify_target_group,
    (Api.V2, "ModifyTargetGroupAttributes"): _v2_attributes(
        TargetGroupState, "target_group_arn"
    ),
    (Api.V2, "DeleteTargetGroup"): _v2_delete_target_group,
    (Api.V2, "RegisterTargets"): _v2_targets(register=True),
    (Api.V2, "DeregisterTargets"): _v2_targets(register=False),
    (Api.V2, "AddTags"): _v2_add_tags,
    (Api.V2, "RemoveTags"): _v2_remove_tags,
    (Api.V2, "CreateTrustStore"): _v2_trust_store("created"),
    (Api.V2, "ModifyTrustStore"): _v2_trust_store("modified"),
    (Api.V2, "DeleteTrustStore"): _v2_delete_trust_store,
    (Api.V2, "AddTrustStoreRevocations"): _v2_add_revocations,
    (Api.V2, "RemoveTrustStoreRevocations"): _v2_remove_revocations,
}
