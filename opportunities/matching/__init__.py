"""Company-name matching for deal-registration conflict detection (pure Python, no I/O)."""

from .index import CompanyIndex
from .domains import (
    is_free_email_domain, normalise_country, normalise_domain, normalise_vat, parse_host, registrable_domain,
)
from .normalise import NameKey, normalise_name
from .scoring import MATCH_THRESHOLD, acronym_score, name_score
from .search import Match, MatchStore, Query, Row, SearchResult, record_keys, search, token_key, typo_candidate

__all__ = [
    "MATCH_THRESHOLD",
    "CompanyIndex",
    "Match",
    "MatchStore",
    "NameKey",
    "Query",
    "Row",
    "SearchResult",
    "acronym_score",
    "is_free_email_domain",
    "name_score",
    "normalise_country",
    "normalise_domain",
    "normalise_name",
    "normalise_vat",
    "parse_host",
    "record_keys",
    "registrable_domain",
    "search",
    "token_key",
    "typo_candidate",
]
