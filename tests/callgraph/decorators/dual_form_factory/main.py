from functools import wraps


def retrier(_func=None, *, retries=3):
    def decorator(f):
        @wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)

        return wrapper

    if _func is None:
        return decorator
    else:
        return decorator(_func)


class Venue:
    @retrier
    def cancel(self, order_id):
        return order_id

    @retrier(retries=1)
    def fetch(self, order_id):
        return order_id

    def lookup(self, order_id):
        return order_id


venue = Venue()
venue.cancel(venue.lookup)
venue.fetch(7)
