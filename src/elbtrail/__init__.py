"""
elbtrail: AWS CloudTrail records of Elastic Load Balancing API calls, typed.

Read log files, trees of them, S3 prefixes, streams and bytes with
`read()`, `iter_events()` and `loads()`; follow a trail's SQS queue with
`follow()`; parse one record with `parse_event()`. Per-action models live
in `elbtrail.classic` and `elbtrail.v2`; Hypothesis strategies in
`elbtrail.strategies`; `make_converter()` gives a cattrs converter for all
of them. Arrow tables and Parquet datasets come from `to_arrow()` and
`write_parquet()`, Dask dataframes from `elbtrail.dask`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._actions import ELB_EVENT_SOURCE, Action, Api, action_for, actions
from ._converter import make_converter
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

if TYPE_CHECKING:
    from ._arrow import file_to_arrow, from_arrow, issues_to_arrow, to_arrow
    from ._follow import Delivery, FollowSummary, follow
    from ._history import Call, Change, FieldChange, History, Snapshot
    from ._parquet import ParquetExport, write_parquet
    from ._state import (
        ClassicLoadBalancerState,
        ListenerState,
        LoadBalancerState,
        ResourceState,
        RuleState,
        StateKind,
        TargetGroupState,
        TrustStoreState,
    )
    from ._touched import ResourceKind, TouchedResource, touched_resources

__all__ = [
    "ELB_EVENT_SOURCE",
    "IDENTITY_TYPES",
    "AWSAccountIdentity",
    "AWSServiceIdentity",
    "Action",
    "Addendum",
    "Api",
    "AssumedRoleIdentity",
    "Call",
    "Change",
    "ClassicLoadBalancerState",
    "Delivery",
    "DirectoryIdentity",
    "Event",
    "EventStream",
    "FederatedUserIdentity",
    "FieldChange",
    "FollowSummary",
    "History",
    "IAMUserIdentity",
    "IdentityCenterUserIdentity",
    "InScopeOf",
    "InvokedByDelegate",
    "Issue",
    "IssueCode",
    "ListenerState",
    "LoadBalancerState",
    "LogResult",
    "Model",
    "OnBehalfOf",
    "ParquetExport",
    "ParseError",
    "Resource",
    "ResourceKind",
    "ResourceState",
    "RoleIdentity",
    "RootIdentity",
    "RuleState",
    "SAMLUserIdentity",
    "SessionAttributes",
    "SessionContext",
    "SessionIssuer",
    "Severity",
    "Snapshot",
    "StateKind",
    "TargetGroupState",
    "TlsDetails",
    "TouchedResource",
    "TrustStoreState",
    "UnknownIdentity",
    "UserIdentity",
    "WebIdFederationData",
    "WebIdentityUserIdentity",
    "action_for",
    "actions",
    "file_to_arrow",
    "follow",
    "from_arrow",
    "issues_to_arrow",
    "iter_events",
    "loads",
    "make_converter",
    "parse_event",
    "read",
    "to_arrow",
    "touched_resources",
    "write_parquet",
]

# Imported on first use: the per-action models take most of the import time.
# Type checkers see plain imports, and no module __getattr__: a misspelled
# name is an error in users' code, not an Any.
_LAZY_SUBMODULES = frozenset({"classic", "v2", "strategies", "dask"})
# So are the history, Arrow columns, Parquet, following a queue and the
# resources a call touches, to keep `import elbtrail` short.
_LAZY_NAMES = {
    **dict.fromkeys(
        ("file_to_arrow", "from_arrow", "issues_to_arrow", "to_arrow"), "_arrow"
    ),
    **dict.fromkeys(("Delivery", "FollowSummary", "follow"), "_follow"),
    **dict.fromkeys(("ParquetExport", "write_parquet"), "_parquet"),
    **dict.fromkeys(
        ("ResourceKind", "TouchedResource", "touched_resources"), "_touched"
    ),
    **dict.fromkeys(
        ("Call", "Change", "FieldChange", "History", "Snapshot"), "_history"
    ),
    **dict.fromkeys(
        (
            "ClassicLoadBalancerState",
            "ListenerState",
            "LoadBalancerState",
            "ResourceState",
            "RuleState",
            "StateKind",
            "TargetGroupState",
            "TrustStoreState",
        ),
        "_state",
    ),
}

if TYPE_CHECKING:
    from . import classic as classic
    from . import dask as dask
    from . import strategies as strategies
    from . import v2 as v2

    __version__: str
else:

    def __getattr__(name: str) -> object:
        if name == "__version__":
            from importlib.metadata import version  # noqa: PLC0415

            return version("elbtrail")
        if name in _LAZY_SUBMODULES:
            import importlib  # noqa: PLC0415

            return importlib.import_module(f"{__name__}.{name}")
        if name in _LAZY_NAMES:
            import importlib  # noqa: PLC0415

            value = getattr(
                importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name
            )
            globals()[name] = value
            return value
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _LAZY_SUBMODULES | {"__version__"})
