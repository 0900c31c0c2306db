"""Every actor module, imported once the broker is installed.

Actors are thin: they build a context, open a transaction and call a service.
Each domain adds its module here as it gains jobs.
"""
