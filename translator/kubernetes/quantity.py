"""Kubernetes resource quantities (``100m``, ``0.5``, ``128Mi``, ``1G``, ``129e6``) as numbers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_FACTORS = {
    None: Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}


def parse_quantity(value: object) -> Decimal | None:
    """The quantity's value in base units (cores, bytes), or None when it is not a quantity."""
    if isinstance(value, bool) or value is None:
        return None
    match = _QUANTITY.match(str(value).strip())
    if not match:
        return None
    try:
        number = Decimal(match[1])
    except InvalidOperation:
        return None
    if number < 0:
        return None
    return number * _FACTORS[match[2]]


def millicores(value: object) -> int | None:
    amount = parse_quantity(value)
    return None if amount is None else int((amount * 1000).to_integral_value(rounding="ROUND_CEILING"))


def byte_count(value: object) -> int | None:
    amount = parse_quantity(value)
    return None if amount is None else int(amount.to_integral_value(rounding="ROUND_CEILING"))
