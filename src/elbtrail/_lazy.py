"""
Names of `elbtrail.classic` and `elbtrail.v2` imported on first use.

Building an attrs class costs a fraction of a millisecond, and the two APIs
have about 250 of them; a log calls a few actions. So each action's classes
live in a private module of their own (``elbtrail._v2.create_load_balancer``),
with one module for the shapes several actions share, and the public module
imports one the first time one of its names is used. Type checkers see
every name in the public module, through imports they alone run.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._model import Model

__all__ = ["ActionClasses", "import_name", "public_module"]

_PRIVATE = (
    ("elbtrail._classic.", "elbtrail.classic"),
    ("elbtrail._v2.", "elbtrail.v2"),
)


def public_module(cls: type) -> str:
    """The module users import *cls* from: ``elbtrail.v2`` for ``elbtrail._v2.x``."""
    module = cls.__module__
    for private, public in _PRIVATE:
        if module.startswith(private):
            return public
    return module


def import_name(public: str, homes: Mapping[str, str], name: str) -> Any:
    """
    The class *name* of module *public*, imported from its private module.

    It is also set on *public*, so that the next use finds it at once.

    Raises:
        AttributeError: *public* has no such name, as for any module.
    """
    home = homes.get(name)
    if home is None:
        msg = f"module {public!r} has no attribute {name!r}"
        raise AttributeError(msg, name=name, obj=sys.modules.get(public))
    package, _, api = public.rpartition(".")
    value = getattr(importlib.import_module(f"{package}._{api}.{home}"), name)
    setattr(sys.modules[public], name, value)
    return value


class ActionClasses(Mapping[str, "tuple[type[Model], type[Model]]"]):
    """
    Action name -> (request class, response class), imported on first use.

    Asking whether an action is there, or listing the actions, imports
    nothing.
    """

    def __init__(
        self, public: str, homes: Mapping[str, str], names: Sequence[str]
    ) -> None:
        """The actions *names* of module *public*, whose classes *homes* places."""
        self._public = public
        self._homes = homes
        self._names = dict.fromkeys(names)

    def __getitem__(self, name: str) -> tuple[type[Model], type[Model]]:
        """The request and response classes of action *name*."""
        if name not in self._names:
            raise KeyError(name)
        return (
            import_name(self._public, self._homes, f"{name}Request"),
            import_name(self._public, self._homes, f"{name}Response"),
        )

    def __contains__(self, name: object) -> bool:
        """Whether *name* is an action of this API; imports nothing."""
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        """The action names, in alphabetical order."""
        return iter(self._names)

    def __len__(self) -> int:
        """How many actions the API has."""
        return len(self._names)

    def __repr__(self) -> str:
        """Name the module and count the actions; their classes may not be built."""
        return f"<{len(self)} actions of {self._public}>"
