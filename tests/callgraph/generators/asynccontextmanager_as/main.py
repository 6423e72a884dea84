import asyncio
from contextlib import asynccontextmanager


class Channel:
    async def send(self, msg):
        return msg

    def close(self):
        return None


@asynccontextmanager
async def open_channel(name):
    channel = Channel()
    try:
        yield channel
    finally:
        channel.close()


async def publish(msg):
    async with open_channel("quotes") as channel:
        await channel.send(msg)


asyncio.run(publish("tick"))
