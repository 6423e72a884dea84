"""knightwatch: find the conditions that sank Knight Capital before they ship."""

__version__ = "0.1.0"
