from pkg.service import run

run()
