"""One row per setting: how it is read from and written to text, and its allowed values.

The same row parses a URL query value, a ``settings.json`` value and a widget
value (widgets hand their value over as text through :attr:`Field.text`), so
a range or a choice is checked in one place and named the same way wherever
it was typed.

Examples
--------
>>> stride = pair("stride", "stride", 1, 64)
>>> stride.parse("2"), stride.parse("2,1"), stride.text((3, 3))
((2, 2), (2, 1), '3')
>>> stride.read("0")
Traceback (most recent call last):
...
ValueError: stride='0' is not allowed: one integer or 'rows,cols', each from 1 to 64
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Field", "choice", "flag", "integer", "names", "number", "optional_int", "pair", "sizes"]


@dataclass(frozen=True)
class Field:
    """How one setting travels as text.

    Attributes
    ----------
    name : str
        The settings attribute, its widget key and its ``settings.json`` key.
    url : str
        Its key in the page's query string.
    parse : callable
        Text to value; raises ``ValueError`` saying what is allowed.
    text : callable
        Value to text, the inverse of ``parse``.
    allowed : str
        The allowed values in words, for messages and help texts.
    """

    name: str
    url: str
    parse: Callable[[str], Any]
    text: Callable[[Any], str]
    allowed: str
    sep: str = ","

    def as_text(self, raw: object) -> str:
        """A JSON value (list, bool, null, number) as this field's text."""
        return _json_text(raw, self.sep)

    def read(self, raw: object) -> Any:
        """Parse ``raw`` (text, or a JSON value) or raise ``ValueError`` naming key and value."""
        text = self.as_text(raw)
        try:
            return self.parse(text.strip())
        except (ValueError, OverflowError):
            raise ValueError(f"{self.url}={text!r} is not allowed: {self.allowed}") from None


def _json_text(raw: object, sep: str) -> str:
    if raw is None:
        return "none"
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, list | tuple):
        return sep.join(_json_text(v, sep) for v in raw)
    return str(raw)


def _int(text: str, low: int, high: int) -> int:
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"must be from {low} to {high}")
    return value


def choice(name: str, url: str, options: Sequence[str]) -> Field:
    """One of ``options``."""
    options = tuple(options)

    def parse(text: str) -> str:
        if text not in options:
            raise ValueError
        return text

    return Field(name, url, parse, str, "one of " + ", ".join(options))


def names(name: str, url: str, options: Sequence[str]) -> Field:
    """A comma-separated selection of ``options`` (may be empty)."""
    options = tuple(options)

    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(p.strip() for p in text.split(",") if p.strip())
        if any(c not in options for c in chosen):
            raise ValueError
        return chosen

    return Field(name, url, parse, ",".join, "comma-separated names from " + ", ".join(options))


def integer(name: str, url: str, low: int, high: int, *, odd: bool = False) -> Field:
    """A whole number in ``low..high`` (odd only, when ``odd``)."""

    def parse(text: str) -> int:
        value = _int(text, low, high)
        if odd and value % 2 == 0:
            raise ValueError
        return value

    words = f"an {'odd ' if odd else ''}integer from {low} to {high}"
    return Field(name, url, parse, str, words)


def optional_int(name: str, url: str, low: int, high: int) -> Field:
    """``none`` or a whole number in ``low..high``."""

    def parse(text: str) -> int | None:
        return None if text.lower() == "none" else _int(text, low, high)

    return Field(name, url, parse, lambda v: "none" if v is None else str(v),
                 f"none or an integer from {low} to {high}")  # fmt: skip


def number(name: str, url: str, low: float, high: float) -> Field:
    """A finite number in ``low..high``."""

    def parse(text: str) -> float:
        value = float(text)
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError
        return value

    def text(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else repr(float(value))

    return Field(name, url, parse, text, f"a number from {low:g} to {high:g}")


def flag(name: str, url: str) -> Field:
    """On or off: ``1``/``0`` (``true``/``false`` read too)."""
    table = {"1": True, "true": True, "0": False, "false": False}

    def parse(text: str) -> bool:
        if text.lower() not in table:
            raise ValueError
        return table[text.lower()]

    return Field(name, url, parse, lambda v: "1" if v else "0", "0 or 1")


def pair(name: str, url: str, low: int, high: int) -> Field:
    """``n`` for ``(n, n)`` or ``rows,cols``, each in ``low..high``."""

    def parse(text: str) -> tuple[int, int]:
        parts = [_int(p, low, high) for p in text.split(",")]
        if len(parts) not in (1, 2):
            raise ValueError
        return (parts[0], parts[-1])

    def text(value: tuple[int, int]) -> str:
        return str(value[0]) if value[0] == value[1] else f"{value[0]},{value[1]}"

    return Field(name, url, parse, text, f"one integer or 'rows,cols', each from {low} to {high}")


def sizes(
    name: str,
    url: str,
    lengths: tuple[int, ...],
    low: int,
    high: int,
    *,
    sep: str = "x",
    max_product: int | None = None,
    expand: Callable[[tuple[int, ...]], tuple[int, ...]] | None = None,
) -> Field:
    """``lengths`` integers joined by ``sep``, each in ``low..high``.

    ``expand`` turns a shorter accepted form into the stored one (padding's
    ``1`` or ``rows,cols`` into four sides); ``max_product`` caps the cells.
    """

    def parse(text: str) -> tuple[int, ...]:
        parts = text.lower().replace("×", "x").replace(" ", "").split(sep)
        values = tuple(_int(p, low, high) for p in parts)
        if len(values) not in lengths:
            raise ValueError
        if max_product is not None and math.prod(values) > max_product:
            raise ValueError
        return expand(values) if expand else values

    words = " or ".join(sep.join("N" * n) for n in lengths) + f", each from {low} to {high}"
    if max_product is not None:
        words += f", at most {max_product:,} cells"
    return Field(name, url, parse, lambda v: sep.join(map(str, v)), words, sep)
