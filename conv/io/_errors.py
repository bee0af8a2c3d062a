"""The one exception every reader raises, and how it quotes user text."""

__all__ = ["InputError", "axes", "quote"]


class InputError(ValueError):
    """A file could not be read as an array; the message says which file, where and why."""


def quote(text: str, limit: int = 40) -> str:
    """``repr`` of ``text`` cut to about ``limit`` characters, so messages stay short.

    Examples
    --------
    >>> quote("abc")
    "'abc'"
    >>> quote("x" * 100, limit=10)
    "'xxxxxxx...' (100 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    return f"{text[: limit - 3] + '...'!r} ({len(text)} characters)"


def axes(ndim: int) -> str:
    """What the axes of an accepted array of ``ndim`` dimensions are called.

    Examples
    --------
    >>> axes(3), axes(4)
    ('(H, W, C)', '(KH, KW, C, F)')
    """
    return {2: "(H, W)", 3: "(H, W, C)", 4: "(KH, KW, C, F)"}[ndim]
