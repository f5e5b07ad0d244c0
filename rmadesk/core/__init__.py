"""What every app uses: the clock, audit events, numbering, users, roles and API tokens, the
permissions base, domain errors and the active policy (and the `policy` and `user` commands over
them). Web pages live in `rmadesk.web`, the demo in `rmadesk.demo`; core imports no business app.
"""
