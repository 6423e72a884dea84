"""Outputs: report formats, the audit, the flag inventory, graph exports, `flip` reports."""
