"""
elbtrail: AWS CloudTrail records of Elastic Load Balancing API calls, typed.

Read log files, trees of them, streams and bytes with `read()`,
`iter_events()` and `loads()`; parse one record with
`parse_event()`. Per-action models live in `elbtrail.classic` and
`elbtrail.v2`; Hypothesis strategies in `elbtrail.strategies`.
"""

from __future__ import annotations

from typing import Any

from ._actions import ELB_EVENT_SOURCE, Action, Api, action_for, actions
from ._event import Addendum, Event, Resource, TlsDetails, parse_event
from ._identity import (
    IDENTITY_TYPES,
    AssumedRoleIdentity,
    AWSAccountIdentity,
    AWSServiceIdentity,
    DirectoryIdentity,
    FederatedUserIdentity,
    IAMUserIdentity,
    IdentityCenterUserIdentity,
    InScopeOf,
    InvokedByDelegate,
    OnBehalfOf,
    RoleIdentity,
    RootIdentity,
    SAMLUserIdentity,
    SessionAttributes,
    SessionContext,
    SessionIssuer,
    UnknownIdentity,
    UserIdentity,
    WebIdentityUserIdentity,
    WebIdFederationData,
)
from ._issues import Issue, IssueCode, ParseError, Severity
from ._model import Model
from ._readers import EventStream, LogResult, iter_events, loads, read

__all__ = [
    "ELB_EVENT_SOURCE",
    "IDENTITY_TYPES",
    "AWSAccountIdentity",
    "AWSServiceIdentity",
    "Action",
    "Addendum",
    "Api",
    "AssumedRoleIdentity",
    "DirectoryIdentity",
    "Event",
    "EventStream",
    "FederatedUserIdentity",
    "IAMUserIdentity",
    "IdentityCenterUserIdentity",
    "InScopeOf",
    "InvokedByDelegate",
    "Issue",
    "IssueCode",
    "LogResult",
    "Model",
    "OnBehalfOf",
    "ParseError",
    "Resource",
    "RoleIdentity",
    "RootIdentity",
    "SAMLUserIdentity",
    "SessionAttributes",
    "SessionContext",
    "SessionIssuer",
    "Severity",
    "TlsDetails",
    "UnknownIdentity",
    "UserIdentity",
    "WebIdFederationData",
    "WebIdentityUserIdentity",
    "action_for",
    "actions",
    "iter_events",
    "loads",
    "parse_event",
    "read",
]

# Imported on first use: the per-action models take most of the import time.
_LAZY_SUBMODULES = frozenset({"classic", "v2", "strategies"})


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415

        return version("elbtrail")
    if name in _LAZY_SUBMODULES:
        import importlib  # noqa: PLC0415

        return importlib.import_module(f"{__name__}.{name}")
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _LAZY_SUBMODULES | {"__version__"})
