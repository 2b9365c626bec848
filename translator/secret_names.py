"""Names that say a value is a credential: what reports mask and what is never carried in a job."""

from __future__ import annotations

import re
from functools import lru_cache

# Names that hold credentials: PASSWORD, DB_PASS, API_KEY, SECRET_KEY_BASE, GITHUB_TOKEN, ...
SECRET_NAME = re.compile(
    r"(pass(wd|word)?|pwd|secret|token|api_?key|access_?key|private_?key|(^|_)key($|_)|credential|auth|"
    r"cookie|session|salt|signature|cert)",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def looks_secret(name: str) -> bool:
    # Cached: the same variable names recur in service after service, and the search with its
    # alternation tries every position of the name.
    return bool(SECRET_NAME.search(name))
