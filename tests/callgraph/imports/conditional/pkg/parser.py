try:
    from ._cparse import parse
except ImportError:
    from ._pyparse import parse

__all__ = ["parse"]
