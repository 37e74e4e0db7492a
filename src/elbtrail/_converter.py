"""A cattrs converter that speaks the models' wire format."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._event import Event, parse_event
from ._model import Model, unstructure

if TYPE_CHECKING:
    import cattrs

__all__ = ["make_converter"]


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model)


def make_converter(*, strict: bool = False) -> cattrs.Converter:
    """
    Return a new `cattrs.Converter` that handles every elbtrail model.

    A model is structured from, and unstructured to, its JSON mapping in
    CloudTrail's casing (``loadBalancerPort``, not ``load_balancer_port``):

    - ``converter.structure(record, elbtrail.Event)`` is
      ``elbtrail.parse_event(record)``, issues included;
    - ``converter.structure(mapping, SomeModel)`` is
      ``SomeModel.from_dict(mapping)``;
    - ``converter.unstructure(model)`` is ``model.to_dict()``: plain JSON
      values that `json.dumps` accepts, unknown keys, nulls and wrongly typed
      values included.

    Everything else is cattrs' default behaviour, so users' own attrs classes
    that hold elbtrail models (``Finding(event: Event, listeners:
    list[classic.Listener])``) round-trip through the converter to plain JSON
    and back. Each call returns a new converter; cattrs' global converter is
    left alone. cattrs is imported when this is first called.

    Args:
        strict: Raise `elbtrail.ParseError` when structuring a value of the
            wrong type, instead of keeping it and reporting an issue.

    Returns:
        The converter, ready for further hooks of your own.

    Added in version 0.1.0.
    """
    import cattrs  # noqa: PLC0415 - only when a converter is asked for

    converter = cattrs.Converter()

    def structure(data: Any, cls: type[Model]) -> Model:
        if cls is Event:
            return parse_event(data, strict=strict)
        return cls.from_dict(data, strict=strict)

    converter.register_structure_hook_func(_is_model, structure)
    converter.register_unstructure_hook_func(_is_model, unstructure)
    return converter
