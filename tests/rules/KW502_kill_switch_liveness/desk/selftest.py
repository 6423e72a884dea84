"""The project's tests, run as a module: they turn desk.no-cancels on and off, and never desk.halt."""
from desk import flags, main

main.route(1)
flags.ON.add("desk.no-cancels")
try:
    main.withdraw(1)
except RuntimeError:
    pass
