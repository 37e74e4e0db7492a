"""Type-checked use of the public API: mypy --strict must accept this file."""

from __future__ import annotations

from datetime import datetime

import elbtrail
from elbtrail import classic, v2


def summarise(path: str) -> list[str]:
    """A typical script: read a tree, narrow the parameters, use typed values."""
    out: list[str] = []
    result: elbtrail.LogResult = elbtrail.read(path)
    for event in result:
        when: datetime | None = event.event_time
        params = event.request_parameters
        if isinstance(params, classic.CreateLoadBalancerRequest) and params.listeners:
            port: int | None = params.listeners[0].load_balancer_port
            out.append(f"{when} classic listener on {port}")
        elif isinstance(params, v2.CreateTargetGroupRequest):
            out.append(f"{when} target group {params.name} port {params.port}")
        identity = event.user_identity
        if isinstance(identity, elbtrail.AssumedRoleIdentity):
            out.append(identity.principal or "")
    for issue in result.issues:
        line: int | None = issue.line
        out.append(f"{issue.source}:{line}: {issue.message}")
    return out


def stream(path: str) -> int:
    """Streaming with a callback."""
    seen: list[elbtrail.Issue] = []
    events = elbtrail.iter_events(path, on_issue=seen.append, dedupe=True)
    return sum(1 for _ in events) + len(seen)


def one(record: dict[str, object]) -> dict[str, object]:
    """Parse and serialise one record."""
    event = elbtrail.parse_event(record, strict=True)
    action = event.action
    if action is not None and action.api is elbtrail.Api.V2:
        return event.to_dict()
    return {}


def touched(path: str) -> list[str]:
    """Which load balancers each call touched."""
    names: list[str] = []
    for event in elbtrail.read(path):
        for resource in elbtrail.touched_resources(event):
            kind: elbtrail.ResourceKind = resource.kind
            if kind is elbtrail.ResourceKind.LOAD_BALANCER:
                name: str | None = resource.name
                names.append(name or resource.identifier)
    return names


def convert(record: dict[str, object]) -> object:
    """The cattrs converter keeps the types of what it structures."""
    converter = elbtrail.make_converter()
    event: elbtrail.Event = converter.structure(record, elbtrail.Event)
    listener = converter.structure({"protocol": "HTTP"}, classic.Listener)
    port: int | None = listener.load_balancer_port
    return converter.unstructure(event), port


def spellings(event: elbtrail.Event) -> object:
    """Unknown keys and kept spellings are read-only mappings."""
    return dict(event.extra), event.verbatim.get("awsRegion")
