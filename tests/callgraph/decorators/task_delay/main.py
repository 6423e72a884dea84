from celery import Celery

app = Celery("desk")


@app.task
def rebalance(qty):
    pass


@app.task
def settle(day):
    pass


def schedule():
    rebalance.delay(7)
    settle.apply_async(args=(1,))


schedule()
