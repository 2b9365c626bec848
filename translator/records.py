"""``@record``: a dataclass whose generated methods are compiled when first used.

Python 3.11 compiles every generated dataclass method (``__init__``, ``__eq__``, ``__hash__``,
a frozen class's ``__setattr__`` and ``__delattr__``) with its own ``exec`` when the class is
created. For this package's model classes that was about half of the import time of a small
translation, and most of those methods are never called in a run (``__eq__`` hardly ever; the
Kubernetes classes not at all for a Compose file). A record is a ``dataclasses.dataclass`` in
every observable way (``fields``, ``replace``, ``asdict``, equality, hashing, frozen fields,
slots), but:

- ``__init__``, ``__eq__`` and a frozen record's ``__hash__`` are compiled on first use, by
  ``dataclasses`` itself, from a copy of the record's fields, and then replace themselves;
- a frozen record refuses assignment with one shared ``__setattr__``/``__delattr__``;
- all records share one ``__repr__`` (the text the generated one writes) and carry a
  docstring, without which ``dataclass`` works one out with ``inspect.signature``.
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


def _refuse_setattr(self: Any, name: str, value: Any) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _set_frozen_state(self: Any, state: Any) -> None:
    # copy and pickle restore a slotted object attribute by attribute; a frozen one refuses
    for name, value in zip((f.name for f in dataclasses.fields(self)), state, strict=True):
        object.__setattr__(self, name, value)


def _frozen_state(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


class _CompiledOnFirstUse:
    """Stands in for a generated method until it is first looked up, then is replaced by it."""

    def __init__(self, owner: type, name: str, frozen: bool) -> None:
        self.owner = owner
        self.name = name
        self.frozen = frozen

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if self.name == "__init__":
            method = _init_function(self.owner, self.frozen)
            type.__setattr__(self.owner, "__init__", method)
        else:
            # frozen records hash by value; the others keep the None that record() set
            twin = _twin(self.owner, eq=True, unsafe_hash=self.frozen)
            for name in ["__eq__", "__hash__"] if self.frozen else ["__eq__"]:
                setattr(self.owner, name, twin.__dict__[name])
            method = twin.__dict__[self.name]
        return method if instance is None else method.__get__(instance, owner)


_FACTORY = object()  # the default of a parameter whose field has a default_factory


def _init_function(cls: type, frozen: bool) -> Any:
    """The ``__init__`` that ``dataclass`` would generate for ``cls``: the same parameters and
    defaults, one field set per line (past the refusing ``__setattr__`` for a frozen record).

    It is written here rather than by a twin dataclass because that is the method every used
    record needs, and dataclass's own processing costs several times the compilation."""
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY, "_setattr": object.__setattr__}
    positional: list[str] = ["self"]
    keyword: list[str] = []
    body: list[str] = []
    for item in dataclasses.fields(cls):
        name = item.name
        if item.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = item.default
            value, default = f"_default_{name}", f"_default_{name}"
        elif item.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = item.default_factory
            value, default = f"_factory_{name}()", "_FACTORY"
            if item.init:
                value = f"_factory_{name}() if {name} is _FACTORY else {name}"
        else:
            value, default = name, ""
        if item.init:
            parameter = f"{name}={default}" if default else name
            (keyword if item.kw_only is True else positional).append(parameter)
            if value.startswith("_default_"):
                value = name
        elif not default:
            continue  # init=False without a default: left unset, as dataclass leaves it
        body.append(f"_setattr(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    parameters = ", ".join(positional + (["*", *keyword] if keyword else []))
    source = f"def __init__({parameters}):\n" + "".join(f"    {line}\n" for line in body or ["pass"])
    exec(source, namespace)  # the source is built above from the record's own field names
    function = namespace["__init__"]
    function.__qualname__ = f"{cls.__qualname__}.__init__"
    function.__module__ = cls.__module__
    return function


def _twin(cls: type, **generate: bool) -> type:
    """A throw-away dataclass with ``cls``'s fields, made only for the methods ``generate`` asks.

    Generated methods refer to the instance only, never to the class they were made for, so they
    behave the same as ``cls``'s own. The annotations are left out (``object`` stands for every
    type) and the docstring is given: both only cost time here.
    """
    namespace: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "__annotations__": {},
    }
    for item in dataclasses.fields(cls):
        namespace["__annotations__"][item.name] = object
        namespace[item.name] = dataclasses.field(
            default=item.default,
            default_factory=item.default_factory,
            init=item.init,
            hash=item.hash,
            compare=item.compare,
            kw_only=item.kw_only,
        )
    options = {"init": False, "repr": False, "eq": False, "match_args": False} | generate
    return dataclasses.dataclass(type(cls.__name__, (), namespace), **options)


@overload
def record(cls: _Class, /) -> _Class: ...
@overload
def record(*, frozen: bool = False, slots: bool = False) -> Callable[[_Class], _Class]: ...


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: Any = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
    def make(target: Any) -> Any:
        if target.__doc__ is None:
            target.__doc__ = target.__name__
        made = dataclasses.dataclass(target, init=False, repr=False, eq=False, slots=slots)
        made.__repr__ = _repr
        made.__init__ = _CompiledOnFirstUse(made, "__init__", frozen)
        made.__eq__ = _CompiledOnFirstUse(made, "__eq__", frozen)
        if frozen:
            # what dataclass(frozen=True, eq=True) gives: hashable by value, fields read-only
            made.__hash__ = _CompiledOnFirstUse(made, "__hash__", frozen)
            made.__setattr__ = _refuse_setattr
            made.__delattr__ = _refuse_delattr
            if slots:
                made.__getstate__ = _frozen_state
                made.__setstate__ = _set_frozen_state
        else:
            made.__hash__ = None  # equal by value and mutable: unhashable, as dataclass makes it
        return made

    return make if cls is None else make(cls)
