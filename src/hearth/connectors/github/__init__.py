"""GitHub: webhook deliveries and the API history of a repository, as ledger activities.

- :mod:`~hearth.connectors.github.webhook` — signature check, event dispatch table and the
  explicit list of ignored events (the HTTP route lives in the web interface);
- :mod:`~hearth.connectors.github.mapping` and :mod:`~hearth.connectors.github.discussions` —
  GitHub objects to activities, shared by webhooks and the backfill so both give the same
  source ids (:mod:`~hearth.connectors.github.fields` reads the JSON with precise errors);
- :mod:`~hearth.connectors.github.api` — the outbound client (REST pagination, GraphQL,
  rate limits) behind the small ``GitHubClient`` interface;
- :mod:`~hearth.connectors.github.backfill` — the resumable history import
  (``hearth import github OWNER/REPO``), with :mod:`~hearth.connectors.github.graphql` for
  discussions.

See docs/connectors/github.md.
"""

DEFAULT_API_URL = "https://api.github.com"
