"""Community health metrics (CHAOSS definitions), as pure functions over plain records.

The store streams small, already grouped records (:mod:`hearth.store.metric_queries`); the
functions here turn them into figures. One module per concept:

- :mod:`.common` — the period, months and weeks, who counts (:class:`People`), percentiles;
- :mod:`.threads` — time to first response, response and resolution rates, time to close;
- :mod:`.members` — totals, new per month, growth, weekly active share, cohort retention;
- :mod:`.contributors` — active and new contributors, growth, Contributor Absence Factor;
- :mod:`.activity` — activity per platform per day and hour of week, popular topics,
  engagement, content creation;
- :mod:`.funnel` — the Phoenix onboarding funnel;
- :mod:`.nps` — Net Promoter Score;
- :mod:`.satisfaction` — support tickets' 1-5 ratings;
- :mod:`.stages` — the growth-stage table by month after launch;
- :mod:`.targets` — targets and their green/amber/red status; :mod:`.defaults` holds the
  Phoenix and Atlas numbers until the playbooks carry them;
- :mod:`.report` — :func:`health_report`, every metric at once.

``docs/metrics.md`` defines every figure.
"""

from hearth.domain.metrics.common import KindMonth, People, Period, percentile
from hearth.domain.metrics.report import MetricInputs, health_report
from hearth.domain.metrics.targets import Target, TargetResult, TargetSet, evaluate_targets

__all__ = [
    "KindMonth",
    "MetricInputs",
    "People",
    "Period",
    "Target",
    "TargetResult",
    "TargetSet",
    "evaluate_targets",
    "health_report",
    "percentile",
]
