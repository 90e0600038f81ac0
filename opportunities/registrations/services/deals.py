"""The deal discount of an approved registration, as catalog pricing asks for it (`registry().deal_discounts`)."""
from __future__ import annotations

from flask import Flask

from catalog.pricing import DealDiscount
from catalog.services import CatalogError
from catalog.services.products import families as catalog_families
from opportunities.registrations.models import Registration
from opportunities.registrations.services.decisions import deal_percent
from opportunities.registrations.services import clock
from portal.db import load_owned
from portal.extension_points import registry
from portal.models import Partner


def deal_discount(partner: Partner, opportunity_id: int) -> DealDiscount:
    """The discount of the partner's approved, still protected registration; a clear 422 otherwise."""
    reg = load_owned(Registration, opportunity_id, partner, error=CatalogError,
                     message="No such deal registration of yours.",
                     fields={"opportunity_id": "Not a registration of your partner."})
    if reg.status != "approved":
        raise CatalogError(f"Deal registration #{reg.id} is {reg.status.replace('_', ' ')}, not approved.",
                           fields={"opportunity_id": "Only an approved registration gives a deal discount."})
    if reg.protected_until is None or reg.protected_until < clock.today():
        raise CatalogError(f"The protection of deal registration #{reg.id} ended on {reg.protected_until}.",
                           fields={"opportunity_id": "The registration's protection has ended."})
    families = frozenset(reg.families) if reg.families else frozenset(catalog_families())
    return DealDiscount(reg.id, deal_percent(reg), families)


def init_app(app: Flask) -> None:
    """The deal discount, for catalog pricing (portal.extension_points.DealDiscounts)."""
    registry(app).deal_discounts = deal_discount
