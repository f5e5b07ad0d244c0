"""Reports: are the promises kept? Service-level attainment, breaches, backlog, RMAs and money.

Reads only: every figure is aggregated in SQL over the records apps' tables (tickets' clock
runs, RMAs, invoices), the same on SQLite and PostgreSQL, never a Python loop over tickets.
Each report answers a `Table` (columns and rows) that the console renders beside its chart,
exports as CSV, and the API returns as JSON: one set of numbers, three forms. Who may read
them is `rmadesk.reports.permissions` (managers and admins).
"""
