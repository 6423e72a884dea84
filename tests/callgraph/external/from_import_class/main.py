from ordergateway import Client as GatewayClient
from ordergateway.util import backoff


def connect():
    backoff(1)
    return GatewayClient("sandbox")


connect()
