from svc.toggles import Flag, Toggles

READ_ONLY = "ops.read-only"


def search(toggles, q):
    if toggles.is_enabled(Flag.SEARCH_V2):
        return q.split()
    return [q]


def bill(toggles, amount):
    if toggles.is_enabled(READ_ONLY):
        return None
    if toggles.is_enabled(Flag.DUNNING):
        amount += 5
    if toggles.is_enabled("billing.auto-pay"):  # expect: KW202 low
        return 0
    return amount


def serve():
    toggles = Toggles(["search.v2"])
    return search(toggles, "a b"), bill(toggles, 10)
