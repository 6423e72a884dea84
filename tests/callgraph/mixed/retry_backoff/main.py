"""A retry decorator with arguments around a call that fails once."""

import time


class TransientError(Exception):
    pass


def retry(times):
    def decorate(func):
        def wrapper(*args):
            for attempt in range(times):
                try:
                    return func(*args)
                except TransientError:
                    pause(attempt)
            return give_up()

        return wrapper

    return decorate


def pause(attempt):
    time.sleep(0)


def give_up():
    return None


CALLS = []


@retry(3)
def submit(order_id):
    CALLS.append(order_id)
    if len(CALLS) < 2:
        raise TransientError()
    return order_id


submit(7)
