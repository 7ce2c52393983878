"""Pure decisions about untrusted input: what a ZIP may hold, what a config may set.

Policy sits between the wire contracts (``schemas``, which it imports) and the
services; it does no I/O beyond reading the archive it is handed, so every rule
is unit-tested without a broker or a database.
"""
