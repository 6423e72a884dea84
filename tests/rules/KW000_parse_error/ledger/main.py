"""Parses: f-strings, match and walrus are all valid syntax."""
from ledger import totals


def main(rows):
    if (n := len(rows)) > 2:
        print(f"{n} rows")
    match rows:
        case [first, *_]:
            return totals.total(first)
    return 0
