"""JSON shapes of quotes (validated through the API's response models)."""
from __future__ import annotations

from typing import Any

from orders.quotes import rules
from orders.quotes.diff import diff_revisions
from orders.quotes.models import Quote, QuoteLine, QuoteRevision
from orders.quotes.schemas import QuoteOut, QuoteRevisionDetail
from portal.api.schemas import present
from portal.money import Money


def line(item: QuoteLine, currency: str) -> dict[str, Any]:
    """A frozen line, in the pricing API's shape plus names."""
    def amount(minor: int) -> str:
        return Money(minor, currency).as_str()
    return {
        "sku": item.sku, "name": item.name, "family": item.family, "quantity": item.quantity,
        "options": list(item.options), "option_names": list(item.option_names),
        "unit_list": amount(item.unit_list_minor), "unit_net": amount(item.unit_net_minor),
        "line_total": amount(item.line_total_minor),
        "waterfall": [{"step": s["step"], "label": s["label"], "amount": amount(s["amount_minor"])}
                      for s in item.waterfall],
    }


def revision(rev: QuoteRevision) -> dict[str, Any]:
    return {
        "revision": rev.number, "created_at": rev.created_at, "total": rev.total.as_str(),
        "currency": rev.currency,
        "requested_discount_percent": rules.format_percent(rev.requested_discount_percent),
        "approved_discount_percent": rules.format_percent(rev.approved_discount_percent),
        "decision": rev.decision, "decision_comment": rev.decision_comment,
        "valid_until": rev.valid_until, "change_note": rev.change_note,
    }


def _base(q: Quote, actions: list[str] | None) -> dict[str, Any]:
    rev = q.current
    return {
        "id": q.id, "number": q.number, "status": q.status, "revision": q.revision,
        "partner_id": q.partner_id, "partner_name": q.partner.name, "title": q.title,
        "currency": q.currency, "total": q.total.as_str(), "list_total": rev.list_total.as_str(),
        "opportunity_id": q.opportunity_id,
        "requested_discount_percent": rules.format_percent(q.requested_discount_percent),
        "approved_discount_percent": rules.format_percent(q.approved_discount_percent),
        "justification": rev.justification, "valid_until": q.valid_until, "created_at": q.created_at,
        "submitted_at": q.submitted_at, "decided_at": rev.decided_at,
        "decision_comment": rev.decision_comment, "decline_reason": q.decline_reason,
        "closed_at": q.closed_at, "order_id": q.order_id,
        "actions": actions if actions is not None else rules.actions_for(q.status),
    }


def quote(q: Quote, *, actions: list[str] | None = None) -> dict[str, Any]:
    """A quote with its current revision's lines, its revisions and its history."""
    data = _base(q, actions)
    data["lines"] = [line(item, q.current.currency) for item in q.current.lines]
    data["revisions"] = [revision(r) for r in q.revisions]
    data["history"] = [{"at": e.created_at, "revision": e.revision, "action": e.action,
                        "by": e.actor_label, "note": e.note} for e in q.events]
    return present(QuoteOut, data)


def summary(q: Quote) -> dict[str, Any]:
    """A quote in a list: everything but lines, revisions and history (load revisions and
    partner eagerly for a page of these)."""
    data = present(QuoteOut, _base(q, None))
    for key in ("lines", "revisions", "history"):
        data.pop(key)
    return data


def revision_detail(q: Quote, rev: QuoteRevision) -> dict[str, Any]:
    """One revision with its lines and what changed from the revision before it."""
    previous = next((r for r in q.revisions if r.number == rev.number - 1), None)
    return present(QuoteRevisionDetail, {
        "quote_id": q.id, "number": q.number, "revision": revision(rev),
        "lines": [line(item, rev.currency) for item in rev.lines],
        "diff": diff_revisions(previous, rev).as_dict() if previous is not None else None,
    })
