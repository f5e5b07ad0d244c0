"""The demo: `rmadesk demo` sets up a database full of examples and serves it.

Made through the same services a real desk uses, so it may import every business app, mail and
jobs; nothing imports it.
"""
