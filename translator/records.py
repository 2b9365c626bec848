"""``@record``: a dataclass that is cheaper to create when the package is imported.

Python compiles every generated dataclass method on its own when the class is created; for
this package's sixty-odd model classes that was a good part of the start-up of a small
translation. A record shares one ``__repr__`` (the same text the generated one writes)
instead of compiling one per class, and carries a docstring, without which ``dataclass``
works one out with ``inspect.signature``. Everything else is ``dataclasses.dataclass``.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

_Class = TypeVar("_Class", bound=type)


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = (f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self) if f.repr)
    return f"{type(self).__qualname__}({', '.join(shown)})"


@overload
def record(cls: _Class, /) -> _Class: ...
@overload
def record(*, frozen: bool = False, slots: bool = False) -> Callable[[_Class], _Class]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: Any = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
    def make(target: Any) -> Any:
        if target.__doc__ is None:
            target.__doc__ = target.__name__
        made = dataclasses.dataclass(target, repr=False, frozen=frozen, slots=slots)
        made.__repr__ = _repr
        return made

    return make if cls is None else make(cls)
