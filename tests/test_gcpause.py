"""The cyclic collector is off during a translation and back on (as it was) afterwards."""

from __future__ import annotations

import gc

import pytest

from translator.gcpause import collector_paused


def test_collector_is_off_inside_and_restored_after() -> None:
    seen: list[bool] = []

    @collector_paused
    def work(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("boom")

    assert gc.isenabled()
    work(False)
    with pytest.raises(ValueError):
        work(True)
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        work(False)
        assert not gc.isenabled()  # a caller that turned it off keeps it off
    finally:
        gc.enable()
