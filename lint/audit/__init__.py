"""The periodic tech-debt audit report."""
