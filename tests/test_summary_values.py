"""The summariser works out each expression's value once: an operand's value is asked for again by
the visit of its own node, so on long operator chains (generated code) the work would grow as the
square of the chain's length; and values parsed from string annotations stay each their own."""

from __future__ import annotations

import ast

from knightwatch.source.summary import Summariser, summarise


def test_a_chain_of_operators_values_each_node_once(monkeypatch):
    worked = []
    value = Summariser._value
    monkeypatch.setattr(Summariser, "_value", lambda self, node: worked.append(node) or value(self, node))
    terms = 150
    text = "def total(a):\n    return " + " + ".join(["a"] * terms) + "\n"

    summary = summarise("m", False, ast.parse(text), text)

    assert len(worked) == len({id(n) for n in worked}) <= 2 * terms
    assert sum(call[1] == ("a", ("n", "a"), "__add__") for call in summary["calls"]) == 1  # `a + a` first
    assert len(summary["calls"]) == terms - 1  # one `__add__` call a `+`


def test_string_annotations_parsed_in_turn_keep_their_own_values():
    text = "def f(a: 'Abs', b: 'Expr', c: 'int') -> 'Result':\n    pass\n"

    scope = summarise("m", False, ast.parse(text), text)["scopes"]["f"]

    assert scope["ann"] == {"a": ("t", ("n", "Abs")), "b": ("t", ("n", "Expr")), "c": ("t", ("n", "int"))}
    assert scope["rann"] == ("t", ("n", "Result"))
