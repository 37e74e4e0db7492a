"""Which action a record is, from ``apiVersion`` and ``eventName``."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._issues import Issue, Severity
from ._model import JsonPath, Model, StrEnum, render_path, wire_fields

__all__ = ["ELB_EVENT_SOURCE", "Action", "Api", "action_for", "actions", "resolve"]

#: The ``eventSource`` of every ELB API call, Classic and v2 alike.
ELB_EVENT_SOURCE = "elasticloadbalancing.amazonaws.com"


class Api(StrEnum):
    """
    The two ELB APIs, by the ``apiVersion`` CloudTrail records for them.

    Added in version 0.1.0.
    """

    #: Classic Load Balancers.
    CLASSIC = "2012-06-01"
    #: Application, Network and Gateway Load Balancers.
    V2 = "2015-12-01"


_MODULES = {Api.CLASSIC: "elbtrail.classic", Api.V2: "elbtrail.v2"}
_API_NAMES = {Api.CLASSIC: "Classic (2012-06-01)", Api.V2: "ELBv2 (2015-12-01)"}


@attrs.frozen
class Action:
    """
    One ELB API action and the classes of its parameters and response.

    Attributes:
        api: The API the action belongs to.
        name: The action's name, as ``eventName`` spells it.
        request: The class of its ``requestParameters``.
        response: The class of its ``responseElements``.

    Added in version 0.1.0.
    """

    api: Api
    name: str
    request: type[Model]
    response: type[Model]


class _ActionTable(Mapping[str, Action]):
    """
    The actions of one API, each made on first use.

    An `Action` is made, and its classes imported, the first time it is
    asked for; listing the names imports nothing.
    """

    def __init__(
        self, api: Api, classes: Mapping[str, tuple[type[Model], type[Model]]]
    ) -> None:
        self.api = api
        self._classes = classes
        #: The actions made so far, for lookups that need no call.
        self.made: dict[str, Action] = {}

    def __getitem__(self, name: str) -> Action:
        try:
            return self.made[name]
        except KeyError:
            pass
        request, response = self._classes[name]
        with _LOADING:
            action = self.made.get(name)
            if action is None:
                action = Action(self.api, name, request, response)
                _BY_REQUEST_CLASS[request] = action
                self.made[name] = action
        return action

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"<{len(self)} actions of the {_API_NAMES[self.api]} API>"


# Filled once per API, under the lock; read without it.
# By API version: Api members are their version strings.
_ACTIONS: dict[str, _ActionTable] = {}
_BY_REQUEST_CLASS: dict[type[Model], Action] = {}
_LOADING = threading.Lock()


def actions(api: Api) -> Mapping[str, Action]:
    """
    Return every action of *api* by name.

    The classes of an action are imported the first time it is looked up;
    listing the names imports none.

    Added in version 0.1.0.
    """
    return _table(api)


def _table(api: Api) -> _ActionTable:
    try:
        return _ACTIONS[api]
    except KeyError:
        pass
    module = importlib.import_module(_MODULES[api])
    with _LOADING:
        if api not in _ACTIONS:
            _ACTIONS[api] = _ActionTable(api, module.ACTIONS)
        return _ACTIONS[api]


def action_for(api_version: str | None, event_name: str | None) -> Action | None:
    """
    Return the action for an ``apiVersion`` and ``eventName``, or ``None``.

    Added in version 0.1.0.
    """
    try:
        api = Api(api_version or "")
    except ValueError:
        return None
    return actions(api).get(event_name or "")


def action_of_request(request: object) -> Action | None:
    """Return the action whose request class *request* is an instance of."""
    kind = type(request)
    found = _BY_REQUEST_CLASS.get(kind)  # type: ignore[arg-type]
    if found is not None or not kind.__name__.endswith("Request"):
        return found
    # A request built by hand, of an action not looked up yet.
    name = kind.__name__.removesuffix("Request")
    for api in Api:
        table = _table(api)
        if name in table and table[name].request is kind:
            return table[name]
    return None


# Keys that settle the API on their own, from the two APIs' documented shapes.
_CLASSIC_KEYS = frozenset({"loadBalancerName", "loadBalancerNames", "listeners"})
_V2_KEYS = frozenset({"loadBalancerArn", "loadBalancerArns", "name", "resourceArns"})


def _guess(name: str, params: Any) -> Api | None:
    candidates = [api for api in Api if name in actions(api)]
    if len(candidates) < 2:
        return candidates[0] if candidates else None
    if params.__class__ is not dict:
        return None
    keys = params.keys()
    classic = len(keys & _CLASSIC_KEYS)
    v2 = len(keys & _V2_KEYS)
    if classic == v2:
        # Fall back to how many of each request class's keys are present.
        classic = _overlap(actions(Api.CLASSIC)[name], keys)
        v2 = _overlap(actions(Api.V2)[name], keys)
    if classic == v2:
        return None
    return Api.CLASSIC if classic > v2 else Api.V2


def _overlap(action: Action, keys: Any) -> int:
    return len({f.wire for f in wire_fields(action.request)} & set(keys))


def resolve(
    record: Mapping[str, Any], issues: list[Issue] | None, path: JsonPath = ""
) -> Action | None:
    """
    Return the ELB action *record* is a call of, or ``None`` if it is none.

    Where ``apiVersion`` is missing or not one of the two ELB versions, the API
    is decided from the action name and the shape of ``requestParameters``,
    and a notice saying so is appended to *issues*, with a JSON path below
    *path*, the record's own.
    """
    if record.get("eventSource") != ELB_EVENT_SOURCE:
        return None
    name = record.get("eventName")
    version = record.get("apiVersion")
    if name.__class__ is not str:
        return None
    if version.__class__ is str and version in _API_NAMES.keys():  # noqa: SIM118
        # Not `get(version) or ...`: a table's truth would be its __len__.
        table = _ACTIONS.get(version)
        if table is None:
            table = _table(Api(version))
        action = table.made.get(name) or table.get(name)
        if action is None and issues is not None:
            issues.append(
                Issue(
                    message=f"unknown {_API_NAMES[Api(version)]} action {name!r}",
                    code="unknown-action",
                    severity=Severity.NOTICE,
                    path=render_path((path, "eventName")),
                    action="parameters kept as plain data",
                )
            )
        return action
    api = _guess(name, record.get("requestParameters"))
    if issues is not None:
        said = "missing" if version is None else f"{version!r}, not an ELB version"
        if api is None:
            issues.append(
                Issue(
                    message=f"apiVersion is {said}, and the action {name!r} "
                    "could not be told apart from its parameters",
                    code="unknown-api-version",
                    severity=Severity.NOTICE,
                    path=render_path((path, "apiVersion")),
                    action="parameters kept as plain data",
                )
            )
        else:
            issues.append(
                Issue(
                    message=f"apiVersion is {said}; read {name!r} as "
                    f"{_API_NAMES[api]} from its name and parameters",
                    code="guessed-api-version",
                    severity=Severity.NOTICE,
                    path=render_path((path, "apiVersion")),
                )
            )
    return actions(api).get(name) if api is not None else None
