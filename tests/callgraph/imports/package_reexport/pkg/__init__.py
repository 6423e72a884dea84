from .impl import api

__all__ = ["api"]
