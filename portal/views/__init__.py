"""HTML views of the portal core: log-in, dashboards, account, team, API docs."""
