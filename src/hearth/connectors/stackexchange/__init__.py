"""Stack Exchange: the public data dumps (Posts.xml, Users.xml...) as ledger activities.

See :func:`hearth.connectors.stackexchange.dump.parse_dump` and docs/connectors/stackexchange.md.
"""
