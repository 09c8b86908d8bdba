"""Discourse: topic JSON archives (``/t/<id>.json``) and webhook payloads as ledger activities.

- :mod:`~hearth.connectors.discourse.fields` reads JSON objects with typed, located errors;
- :mod:`~hearth.connectors.discourse.mapping` turns topics and posts into activities (shared by
  the importer and the webhook);
- :mod:`~hearth.connectors.discourse.topics` parses one topic file;
- :mod:`~hearth.connectors.discourse.archive` streams a folder or tarball of topic files;
- :mod:`~hearth.connectors.discourse.webhook` verifies and dispatches webhook deliveries.

See docs/connectors/discourse.md.
"""
