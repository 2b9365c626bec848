"""``@record`` behaves as ``dataclasses.dataclass`` does, with its methods compiled on first use."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

from translator.records import record


@record
class Mutable:
    name: str
    port: int = 80
    tags: list[str] = dataclasses.field(default_factory=list)
    secret: str = dataclasses.field(default="", repr=False, compare=False)


@dataclasses.dataclass
class MutableDataclass:
    name: str
    port: int = 80
    tags: list[str] = dataclasses.field(default_factory=list)
    secret: str = dataclasses.field(default="", repr=False, compare=False)


@record(frozen=True)
class Frozen:
    host: str
    port: int = 0
    note: str = dataclasses.field(default="", hash=False, compare=False)


@dataclasses.dataclass(frozen=True)
class FrozenDataclass:
    host: str
    port: int = 0
    note: str = dataclasses.field(default="", hash=False, compare=False)


@record(frozen=True, slots=True)
class FrozenSlots:
    code: str
    line: int = 1


@record
class Unusual:
    name: str
    computed: int = dataclasses.field(init=False, default=3)
    seen: list[str] = dataclasses.field(init=False, default_factory=list)
    flag: bool = dataclasses.field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        self.seen.append(self.name)


@dataclasses.dataclass
class UnusualDataclass:
    name: str
    computed: int = dataclasses.field(init=False, default=3)
    seen: list[str] = dataclasses.field(init=False, default_factory=list)
    flag: bool = dataclasses.field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        self.seen.append(self.name)


@record
class NeverInstantiated:
    value: int


def test_methods_are_compiled_on_first_use_and_then_are_the_class_own() -> None:
    assert not callable(NeverInstantiated.__dict__["__init__"])  # the stand-in, not a function
    assert not callable(NeverInstantiated.__dict__["__eq__"])
    first = NeverInstantiated(1)
    assert callable(NeverInstantiated.__dict__["__init__"])
    assert NeverInstantiated.__dict__["__init__"].__qualname__ == "NeverInstantiated.__init__"
    assert first == NeverInstantiated(1)
    assert callable(NeverInstantiated.__dict__["__eq__"])


@pytest.mark.parametrize(
    ("made", "reference"),
    [
        (Mutable, MutableDataclass),
        (Frozen, FrozenDataclass),
    ],
)
def test_construction_matches_dataclass(made: Any, reference: Any) -> None:
    first_field = dataclasses.fields(reference)[0].name
    for args, kwargs in [(("a",), {}), (("a", 5), {}), ((), {first_field: "a", "port": 7})]:
        ours, theirs = made(*args, **kwargs), reference(*args, **kwargs)
        assert [getattr(ours, f.name) for f in dataclasses.fields(made)] == [
            getattr(theirs, f.name) for f in dataclasses.fields(reference)
        ]
    for args, kwargs in [((), {}), (("a",), {"colour": "red"}), (("a", 1, "b", "c", "d", "e"), {})]:
        with pytest.raises(TypeError) as ours_refused:
            made(*args, **kwargs)
        with pytest.raises(TypeError) as theirs_refused:
            reference(*args, **kwargs)
        assert str(ours_refused.value) == str(theirs_refused.value).replace(reference.__name__, made.__name__)


def test_default_factory_gives_each_instance_its_own_value() -> None:
    one, two = Mutable("a"), Mutable("b")
    one.tags.append("x")
    assert two.tags == []


def test_equality_and_hashing_match_dataclass() -> None:
    assert Mutable("a", 1, ["t"], secret="s") == Mutable("a", 1, ["t"], secret="other")  # compare=False
    assert Mutable("a", 1) != Mutable("a", 2)
    assert Mutable("a") != MutableDataclass("a")  # another class is never equal
    assert Mutable.__hash__ is None and MutableDataclass.__hash__ is None
    with pytest.raises(TypeError, match="unhashable type: 'Mutable'"):
        hash(Mutable("a"))
    assert Frozen("db", 5, note="x") == Frozen("db", 5, note="y")
    assert hash(Frozen("db", 5, note="x")) == hash(FrozenDataclass("db", 5, note="y"))
    assert len({Frozen("db", 5), Frozen("db", 5), Frozen("db", 6)}) == 2
    assert FrozenSlots("E1") == FrozenSlots("E1") and hash(FrozenSlots("E1")) == hash(FrozenSlots("E1"))


@pytest.mark.parametrize("made", [Frozen("db"), FrozenSlots("E1")])
def test_frozen_records_refuse_assignment_and_deletion(made: Any) -> None:
    field = dataclasses.fields(made)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot assign to field '{field}'"):
        setattr(made, field, "other")
    with pytest.raises(dataclasses.FrozenInstanceError, match=f"cannot delete field '{field}'"):
        delattr(made, field)


def test_slots_records_have_no_instance_dictionary() -> None:
    assert not hasattr(FrozenSlots("E1"), "__dict__")
    assert FrozenSlots.__slots__ == ("code", "line")


@pytest.mark.parametrize("made", [Mutable("a", 2, ["t"]), Frozen("db", 5), FrozenSlots("E1", 3)])
def test_copy_pickle_replace_asdict_and_repr_match_dataclass(made: Any) -> None:
    assert copy.copy(made) == made
    assert copy.deepcopy(made) == made
    assert pickle.loads(pickle.dumps(made)) == made
    first = dataclasses.fields(made)[0].name
    changed = dataclasses.replace(made, **{first: "z"})
    assert getattr(changed, first) == "z" and type(changed) is type(made)
    assert dataclasses.is_dataclass(made)
    shown = ", ".join(f"{f.name}={getattr(made, f.name)!r}" for f in dataclasses.fields(made) if f.repr)
    assert repr(made) == f"{type(made).__qualname__}({shown})"
    assert dataclasses.asdict(made) == {f.name: getattr(made, f.name) for f in dataclasses.fields(made)}


def test_pattern_matching_uses_the_fields_in_order() -> None:
    match Mutable("web", 8080):
        case Mutable(name, port):
            assert (name, port) == ("web", 8080)
        case _:
            pytest.fail("a record matches positional patterns")


def test_fields_outside_init_keyword_only_fields_and_post_init_match_dataclass() -> None:
    ours, theirs = Unusual("a", flag=True), UnusualDataclass("a", flag=True)
    assert (ours.name, ours.computed, ours.seen, ours.flag) == ("a", 3, ["a"], True)
    assert (theirs.name, theirs.computed, theirs.seen, theirs.flag) == ("a", 3, ["a"], True)
    for args, kwargs in [(("a", True), {}), (("a",), {"computed": 4})]:
        with pytest.raises(TypeError) as ours_refused:
            Unusual(*args, **kwargs)
        with pytest.raises(TypeError) as theirs_refused:
            UnusualDataclass(*args, **kwargs)
        assert str(ours_refused.value) == str(theirs_refused.value).replace("UnusualDataclass", "Unusual")
