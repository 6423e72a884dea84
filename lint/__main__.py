"""`python -m knightwatch`."""

from knightwatch.cli import main

main()
