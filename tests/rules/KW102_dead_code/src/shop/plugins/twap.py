"""A plugin: importing it is all the loader does."""
SLICES = 4
