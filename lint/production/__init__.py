"""Production data: coverage per host, the revision each ran, calendars, flag lineage from git."""
