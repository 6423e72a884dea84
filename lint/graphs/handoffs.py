"""Calls outside the project that call a function they are handed, with the arguments handed with it
(`pool.submit(f, a)`, `Thread(target=f, args=(a,))`): read by the call graph and by KW102's liveness."""

from __future__ import annotations

#: calls outside the project that call a function they are handed with arguments they are handed
#: (name -> (the function's position, its keyword, where its arguments are)): "rest" the arguments
#: after the function (`pool.submit(f, a, k=b)`), "items" an element of each one after it
#: (`pool.map(f, xs)`), "reduce" (`functools.reduce(f, xs, init)`: f(init or f's own result or an
#: element, an element)), or the positions and keywords of an argument tuple and a keyword dict
#: (`Thread(target=f, args=(a,), kwargs={})`)
HANDOFFS: dict[str, tuple[int, str, tuple]] = {
    "submit": (0, "fn", ("rest",)), "call_soon": (0, "callback", ("rest",)),
    "call_soon_threadsafe": (0, "callback", ("rest",)), "to_thread": (0, "func", ("rest",)),
    "callback": (0, "callback", ("rest",)), "call_later": (1, "callback", ("rest",)),
    "call_at": (1, "callback", ("rest",)), "run_in_executor": (1, "func", ("rest",)),
    "finalize": (1, "func", ("rest",)), "register": (0, "func", ("rest",)),
    "map": (0, "fn", ("items",)), "imap": (0, "func", ("items",)), "imap_unordered": (0, "func", ("items",)),
    "filter": (0, "function", ("items",)), "reduce": (0, "function", ("reduce",)),
    "add_done_callback": (0, "fn", ("rest",)),
    "Thread": (1, "target", (3, "args", 4, "kwargs")), "Process": (1, "target", (3, "args", 4, "kwargs")),
    "Timer": (1, "function", (2, "args", 3, "kwargs")), "enter": (2, "action", (3, "argument", 4, "kwargs")),
    "enterabs": (2, "action", (3, "argument", 4, "kwargs")), "apply_async": (0, "func", (1, "args", 2, "kwds")),
    "start_new_thread": (0, "function", (1, "args", 2, "kwargs")),
}
#: handoff names too common to trust on an object the analysis does not know: only these callees
HANDOFF_ONLY = {"register": frozenset({"atexit.register"}),
                "Thread": frozenset({"threading.Thread"}), "Timer": frozenset({"threading.Timer"}),
                "Process": frozenset({"multiprocessing.Process", "multiprocessing.context.Process"})}
