"""Whole-program graphs: the project index, the call graph, the flag graph and what they derive."""
