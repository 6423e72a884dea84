"""A dual-form retry decorator (`@retried` or `@retried(attempts=5)`) and a wrapper factory called on
the spot (`shielded(fn, fallback)(*args)`), typed as libraries type them."""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, TypeVar, cast

F = TypeVar("F", bound=Callable[..., Any])


class Transient(Exception):
    """A failure worth another attempt."""


def retried(_func: F | None = None, *, attempts: int = 3) -> Any:
    def decorator(func: F) -> F:
        @functools.wraps(func)
        def attempt(*args: Any, **kwargs: Any) -> Any:
            left = kwargs.pop("left", attempts)
            try:
                return func(*args, **kwargs)
            except Transient:
                if left <= 1:
                    raise
                time.sleep(0.001)
                return attempt(*args, left=left - 1, **kwargs)

        return cast(F, attempt)

    return decorator if _func is None else decorator(_func)


def shielded(call: F, fallback: Any = None) -> F:
    @functools.wraps(call)
    def guard(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except Exception:
            return fallback

    return cast(F, guard)


def threaded(func: F) -> F:
    @functools.wraps(func)
    def spawn(*args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            return func(*args, **kwargs)

        return run()  # expect: KW301 critical

    return cast(F, spawn)
