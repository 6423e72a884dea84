from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine import Engine


def stop(e: "Engine"):
    e.halt()
