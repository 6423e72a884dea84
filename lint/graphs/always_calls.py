"""Per-function "always calls a check before returning normally" summaries, read from a function's
AST: every `return` (and falling off the end) must come after a call the caller says is a check, on
every path. A path that leaves by an exception never returns normally, so it does not count against
the function (a breaker that raises is a breaker refusing)."""

from __future__ import annotations

import ast
import copy
from typing import Callable, Iterator

Check = Callable[[ast.Call], bool]


def _certain_calls(node: ast.AST | None) -> Iterator[ast.Call]:
    """The calls that run whenever NODE (an expression or a simple statement) is evaluated: not the
    right operands of `and`/`or`, the branches of `x if c else y`, lambdas or comprehension bodies."""
    if node is None or isinstance(node, ast.Lambda):
        return
    if isinstance(node, ast.BoolOp):
        yield from _certain_calls(node.values[0])
        return
    if isinstance(node, ast.IfExp):
        yield from _certain_calls(node.test)
        return
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        yield from _certain_calls(node.generators[0].iter)
        return
    for child in ast.iter_child_nodes(node):
        yield from _certain_calls(child)
    if isinstance(node, ast.Call):
        yield node


def _runs_check(node: ast.AST | None, check: Check) -> bool:
    return any(check(c) for c in _certain_calls(node))


def _all_ran(test: ast.AST, check: Check) -> bool:
    """TEST is `a and b and ...` with a check among its operands: when it is true, every operand ran."""
    return isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) \
        and any(_runs_check(v, check) or _all_ran(v, check) for v in test.values)


def _join(outs: list[bool | None]) -> bool | None:
    """The state after branches that meet again: None when none of them completes normally."""
    live = [o for o in outs if o is not None]
    return all(live) if live else None


def _block(stmts: list[ast.stmt], checked: bool, check: Check) -> tuple[bool | None, bool]:
    """(checked at the end of STMTS, or None when they never complete normally; every return in them
    comes after a check)."""
    ok = True
    for st in stmts:
        out, st_ok = _stmt(st, checked, check)
        ok = ok and st_ok
        if out is None:
            return None, ok
        checked = out
    return checked, ok


def _stmt(st: ast.stmt, c: bool, check: Check) -> tuple[bool | None, bool]:
    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return c or any(_runs_check(d, check) for d in st.decorator_list), True
    if isinstance(st, ast.Return):
        return None, c or _runs_check(st.value, check)
    if isinstance(st, (ast.Raise, ast.Break, ast.Continue)):
        return None, True  # a loop is left with the state it was entered with: see the loops below
    if isinstance(st, ast.If):
        c = c or _runs_check(st.test, check)
        body, body_ok = _block(st.body, c or _all_ran(st.test, check), check)
        orelse, else_ok = _block(st.orelse, c, check)
        return _join([body, orelse]), body_ok and else_ok
    if isinstance(st, (ast.While, ast.For, ast.AsyncFor)):
        c = c or _runs_check(st.test if isinstance(st, ast.While) else st.iter, check)
        _, body_ok = _block(st.body, c, check)  # the body may run no time at all
        _, else_ok = _block(st.orelse, c, check)
        if isinstance(st, ast.While) and isinstance(st.test, ast.Constant) and st.test.value and not _breaks(st.body):
            return None, body_ok  # `while True:` without a `break` is left only by return or raise
        return c, body_ok and else_ok
    if isinstance(st, (ast.With, ast.AsyncWith)):
        c = c or any(_runs_check(item.context_expr, check) for item in st.items)
        return _block(st.body, c, check)
    if isinstance(st, ast.Try) or type(st).__name__ == "TryStar":
        return _try(st, c, check)
    if isinstance(st, ast.Match):
        c = c or _runs_check(st.subject, check)
        cases = [_block(case.body, c, check) for case in st.cases]
        return _join([c] + [out for out, _ in cases]), all(ok for _, ok in cases)
    return c or _runs_check(st, check), True


def _try(st, c: bool, check: Check) -> tuple[bool | None, bool]:
    body, ok = _block(st.body, c, check)
    if body is not None and st.orelse:
        body, else_ok = _block(st.orelse, body, check)
        ok = ok and else_ok
    outs = [body]
    for handler in st.handlers:  # entered from anywhere in the body: with what held before it
        out, handler_ok = _block(handler.body, c, check)
        outs.append(out)
        ok = ok and handler_ok
    out = _join(outs)
    if st.finalbody:
        final, final_ok = _block(st.finalbody, c, check)
        if final is None:
            return None, final_ok and (ok or c)
        if final:  # every return above passes through the check in `finally`
            ok = True
            out = True if out is not None else None
        ok = ok and final_ok
    return out, ok


def _breaks(stmts: list[ast.stmt]) -> bool:
    """A `break` in STMTS that leaves the loop they are the body of (not one of a nested loop)."""
    for st in stmts:
        if isinstance(st, ast.Break):
            return True
        if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(st, (ast.For, ast.AsyncFor, ast.While)):
            if _breaks(st.orelse):  # an inner loop's `else` is still in the outer loop's body
                return True
            continue
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(st, field, None)
            if children and _breaks(children):
                return True
    return False


def always_checks(func: ast.FunctionDef | ast.AsyncFunctionDef, check: Check) -> bool:
    """True when every normal return from FUNC comes after a call CHECK accepts."""
    out, ok = _block(func.body, False, check)
    return ok and out is not False


def checked_before(func: ast.FunctionDef | ast.AsyncFunctionDef, check: Check, line: int, col: int) -> bool:
    """True when every path into the statement that holds the call at LINE, COL (0-based) of FUNC
    comes after a call CHECK accepts: the same walk as `always_checks`, with that statement as the one
    return that counts (the function's own returns and its end never reach it)."""
    func = copy.deepcopy(func)
    holders = [st for st in ast.walk(func) if isinstance(st, ast.stmt) and st is not func
               and any(isinstance(n, ast.Call) and (n.lineno, n.col_offset) == (line, col) for n in ast.walk(st))]
    if not holders:
        return False
    target = min(holders, key=lambda st: (st.end_lineno - st.lineno, -st.col_offset))
    for node in ast.walk(func):  # paths that return never reach the statement (unless it is the one)
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list):
                stmts[:] = [ast.Raise() if isinstance(st, ast.Return) and st is not target else st for st in stmts]
    for node in ast.walk(func):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if isinstance(stmts, list) and any(st is target for st in stmts):
                stmts[:] = [ast.Return(value=None) if st is target else st for st in stmts]
    func.body.append(ast.Raise())
    return always_checks(func, check)


def checks_before_yield(func: ast.FunctionDef | ast.AsyncFunctionDef, check: Check) -> bool:
    """For a generator context manager (`@contextmanager`): True when a call CHECK accepts runs
    before every `yield`, where the `with` body runs; a check after it comes too late."""
    func = copy.deepcopy(func)
    for node in ast.walk(func):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list):
                continue
            stmts[:] = [ast.Return(value=None) if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(st))
                        and not any(isinstance(c, ast.stmt) and c is not st and any(
                            isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(c)) for c in ast.walk(st))
                        else ast.Raise() if isinstance(st, ast.Return) else st for st in stmts]
    func.body.append(ast.Raise())
    return always_checks(func, check)


def find_function(tree: ast.Module, line: int, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function named NAME whose `def` is on LINE."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno == line and node.name == name:
            return node
    return None
