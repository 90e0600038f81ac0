"""Pricing a revision through the catalog's pricing service, and freezing the result as lines.

The waterfall is the catalog's: list, contract price or volume tier, tier discount, deal
discount, then the quote's extra discount, compounding, rounded once. A revision keeps the
deal's terms as they were when it was priced (`deal` snapshot), so a later decision (a manager
approving a lower percentage) prices again with the same deal, on the same date.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from catalog.pricing import DealDiscount, DocumentPrice
from catalog.services import pricing
from catalog.services.lookup import products_by_sku
from orders.quotes.models import QuoteLine, QuoteRevision
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Partner

LineInput = pricing.LineInput


def deal_snapshot(deal: DealDiscount | None) -> dict[str, Any] | None:
    """The deal's terms as stored on a revision."""
    if deal is None:
        return None
    return {"opportunity_id": deal.opportunity_id, "percent": str(deal.percent),
            "families": sorted(deal.families)}


def deal_from_snapshot(snapshot: dict[str, Any] | None) -> DealDiscount | None:
    if not snapshot:
        return None
    return DealDiscount(int(snapshot["opportunity_id"]), Decimal(snapshot["percent"]),
                        frozenset(snapshot["families"]))


def check_deal(partner: Partner, opportunity_id: Any, errors: dict[str, str]) -> DealDiscount | None:
    """The partner's approved, unexpired registration's deal (the registrations feature checks)."""
    if opportunity_id in (None, ""):
        return None
    try:
        return pricing.deal_for(partner, int(opportunity_id))
    except (TypeError, ValueError):
        errors["opportunity_id"] = "Give the number of one of your approved deal registrations."
    except DomainError as exc:
        errors["opportunity_id"] = exc.fields.get("opportunity_id", exc.message)
    return None


def price(partner: Partner, lines: Sequence[LineInput], *, deal: DealDiscount | None,
          percent: Decimal | None, on: date) -> DocumentPrice:
    """Price lines for the partner; raises the catalog's PricingFailed (422, fields per line)."""
    return pricing.price_lines(partner, list(lines), on=on, deal=deal, quote_discount=percent or None)


def inputs_of(revision: QuoteRevision) -> list[LineInput]:
    """A revision's lines as pricing inputs (to price them again)."""
    return [LineInput(line.sku, line.quantity, tuple(line.options)) for line in revision.lines]


def freeze(revision: QuoteRevision, document: DocumentPrice, on: date) -> None:
    """Replace the revision's lines with the priced document (names and families included)."""
    products = products_by_sku({line.sku for line in document.lines})
    for old in list(revision.lines):
        revision.lines.remove(old)
    db.session.flush()  # the old positions are free before the new lines take them
    list_total = 0
    for position, line in enumerate(document.lines, start=1):
        info = products[line.sku]
        names = {o.code: o.name for g in info.config.groups for o in g.options}
        revision.lines.append(QuoteLine(
            partner_id=revision.partner_id, position=position, sku=line.sku, name=info.name,
            family=line.family, quantity=line.quantity, options=list(line.options),
            option_names=[names.get(code, code) for code in line.options],
            unit_list_minor=line.unit_list.amount_minor, unit_net_minor=line.unit_net.amount_minor,
            line_total_minor=line.line_total.amount_minor,
            waterfall=[{"step": s.step, "label": s.label, "amount_minor": s.amount.amount_minor}
                       for s in line.waterfall]))
        list_total += line.unit_list.amount_minor * line.quantity
    revision.currency = document.currency
    revision.total_minor = document.total.amount_minor
    revision.list_total_minor = list_total
    revision.priced_on = on
