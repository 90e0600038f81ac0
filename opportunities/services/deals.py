"""The deal discount of an approved registration, as catalog pricing reads it (`DEAL_LOOKUP`)."""
from __future__ import annotations

from catalog.pricing import DealDiscount
from catalog.services import CatalogError
from catalog.services.pricing import DEAL_LOOKUP
from catalog.services.products import families as catalog_families
from opportunities.models import Registration
from opportunities.services.decisions import deal_percent
from opportunities.services import clock
from portal.extensions import db
from portal.models import Partner


def deal_discount(partner: Partner, opportunity_id: int) -> DealDiscount:
    """The discount of the partner's approved, still protected registration; a clear 422 otherwise."""
    reg = db.session.get(Registration, opportunity_id) if isinstance(opportunity_id, int) else None
    if reg is None or reg.partner_id != partner.id:
        raise CatalogError("No such deal registration of yours.",
                           fields={"opportunity_id": "Not a registration of your partner."})
    if reg.status != "approved":
        raise CatalogError(f"Deal registration #{reg.id} is {reg.status.replace('_', ' ')}, not approved.",
                           fields={"opportunity_id": "Only an approved registration gives a deal discount."})
    if reg.protected_until is None or reg.protected_until < clock.today():
        raise CatalogError(f"The protection of deal registration #{reg.id} ended on {reg.protected_until}.",
                           fields={"opportunity_id": "The registration's protection has ended."})
    families = frozenset(reg.families) if reg.families else frozenset(catalog_families())
    return DealDiscount(reg.id, deal_percent(reg), families)


def install() -> None:
    """Plug the lookup into catalog pricing once."""
    if deal_discount not in DEAL_LOOKUP:
        DEAL_LOOKUP.append(deal_discount)


install()
