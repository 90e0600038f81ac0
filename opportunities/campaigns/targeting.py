"""Which partners a campaign targets (pure: no database)."""
from __future__ import annotations

from collections.abc import Sequence

from portal.models.partners import PARTNER_KINDS, PARTNER_TIERS


def targets(tiers: Sequence[str], regions: Sequence[str], kinds: Sequence[str], *,
            tier: str, region: str, kind: str) -> bool:
    """An empty list targets everyone on that dimension; regions compare case-insensitively."""
    if tiers and tier not in tiers:
        return False
    if kinds and kind not in kinds:
        return False
    if regions and (region or "").strip().upper() not in {r.strip().upper() for r in regions}:
        return False
    return True


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe(tiers: Sequence[str], regions: Sequence[str], kinds: Sequence[str]) -> str:
    """'Gold and platinum resellers in EMEA', 'All partners'."""
    tier_text = _join([t for t in PARTNER_TIERS if t in tiers]) + " " if tiers else ""
    kind_words = [f"{k}s" for k in PARTNER_KINDS if k in kinds]
    who = _join(kind_words) if kind_words else "partners"
    text = f"{tier_text}{who}".strip()
    if not tiers and not kinds:
        text = "all partners"
    if regions:
        text += f" in {_join(list(regions))}"
    return text[0].upper() + text[1:]
