"""Company-name matching for deal-registration conflict detection (pure Python, no I/O)."""

from .index import CompanyIndex, Match
from .domains import is_free_email_domain, normalise_country, normalise_domain, normalise_vat, registrable_domain
from .normalise import NameKey, normalise_name
from .scoring import MATCH_THRESHOLD, acronym_score, name_score

__all__ = [
    "MATCH_THRESHOLD",
    "CompanyIndex",
    "Match",
    "NameKey",
    "acronym_score",
    "is_free_email_domain",
    "name_score",
    "normalise_country",
    "normalise_domain",
    "normalise_name",
    "normalise_vat",
    "registrable_domain",
]
