import heapq


def on_fill(payload):
    pass


def on_cancel(payload):
    pass


queue = []
heapq.heappush(queue, (1, 0, on_fill, "fill"))
heapq.heappush(queue, (2, 1, on_cancel, "cancel"))
while queue:
    _, _, handler, payload = heapq.heappop(queue)
    handler(payload)
