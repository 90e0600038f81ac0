"""Opportunities: deal registrations (`registrations/`, with the conflict registry in `registry/`
and the name matching in `matching/`), shared leads (`leads/`) and channel campaigns (`campaigns/`)."""
