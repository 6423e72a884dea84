from .loader import Settings

__all__ = ["Settings"]
