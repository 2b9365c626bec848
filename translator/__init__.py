"""translate: move docker-compose applications to HashiCorp Nomad, networking included."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "translate", "translate_text"]


def __getattr__(name: str) -> object:
    # The API is imported on first use so that `translate --version` stays fast.
    if name in ("translate", "translate_text", "Result"):
        from translator import api

        return getattr(api, name)
    raise AttributeError(name)
