import functools
from typing import cast


def retrier(_func=None, *, retries=3):
    def decorator(f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)
        return cast(object, wrapper)
    if _func is None:
        return decorator
    return decorator(_func)


class Exchange:
    @retrier
    def cancel_order(self):
        pass


Exchange().cancel_order()
