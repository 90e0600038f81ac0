"""Editing a quote: a draft is changed in place; any later status makes a new revision."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from catalog.services import carts
from catalog.services.pricing import LineInput
from orders.quotes import rules, services
from orders.quotes.forms import QuoteEditForm
from orders.quotes.models import Quote
from orders.quotes.rules import format_percent
from orders.quotes.views import bp, user
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.permissions import partner_required
from portal.tenancy import current_partner
from portal.validation import NOT_WHOLE, QuantityError, parse_quantity


def _editable(quote: Quote) -> bool:
    return rules.allowed("edit", quote.status) or rules.allowed("revise", quote.status)


def _quantity(raw: str) -> Any:
    """The quantity typed, for the service to check and word: a whole number as an int (read by
    the one quantity parser, even when out of range), anything else as typed."""
    text = raw.strip()
    try:
        return parse_quantity(text)
    except QuantityError as exc:
        return text if exc.reason == NOT_WHOLE else exc.value


def _rows(quote: Quote, form: QuoteEditForm) -> list[tuple[str, LineInput]]:
    """The lines the form asks for, each with the key of the row it came from."""
    rows: list[tuple[str, LineInput]] = []
    for line in quote.current.lines:
        if request.form.get(f"remove-{line.position}"):
            continue
        raw = request.form.get(f"qty-{line.position}", str(line.quantity))
        rows.append((f"row-{line.position}", LineInput(line.sku, _quantity(raw), tuple(line.options))))
    if (form.add_sku.data or "").strip():
        options = tuple(o.strip() for o in (form.add_options.data or "").split(",") if o.strip())
        rows.append(("add", LineInput(form.add_sku.data.strip(), _quantity(form.add_quantity.data or ""),
                                      options)))
    if form.add_cart.data:
        priced = carts.price_cart(current_partner(), user())
        rows += [(f"cart-{i.line.id}", LineInput(i.line.sku, i.line.quantity, tuple(i.line.options)))
                 for i in priced.items if i.problem is None]
    return rows


def _row_errors(exc: DomainError, keys: list[str]) -> tuple[dict[str, str], list[str]]:
    """Line errors by row key; errors of cart lines or of the lines as a whole go on top."""
    by_row: dict[str, str] = {}
    general: list[str] = []
    for name, message in exc.fields.items():
        parts = name.split(".")
        if parts[0] != "lines":
            continue
        if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(keys):
            key = keys[int(parts[1])]
            if key.startswith("cart-"):
                general.append(f"A line of your cart: {message}")
            else:
                by_row[key] = f"{by_row[key]} {message}" if key in by_row else message
        else:
            general.append(message)
    return by_row, general


def _render(quote: Quote, form: QuoteEditForm, status: int = 200, *, row_errors: dict[str, str] | None = None,
            general: list[str] | None = None):
    return render_template("quotes/edit.html", quote=quote, rev=quote.current, form=form,
                           row_errors=row_errors or {}, general=general or [],
                           posted=request.form if request.method == "POST" else {}), status


@bp.get("/quotes/<id:quote_id>/edit")
@partner_required
def edit(quote_id: int):
    quote = services.get_quote(current_partner(), quote_id)
    if not _editable(quote):
        flash(rules.refusal("revise", quote.status, quote.number), "danger")
        return redirect(url_for("quotes.detail", quote_id=quote.id))
    rev = quote.current
    form = QuoteEditForm(formdata=None, title=rev.title, opportunity_id=rev.opportunity_id,
                         requested_discount_percent=format_percent(rev.requested_discount_percent),
                         justification=rev.justification)
    return _render(quote, form)


@bp.post("/quotes/<id:quote_id>/edit")
@partner_required
def save(quote_id: int):
    quote = services.get_quote(current_partner(), quote_id)
    form = QuoteEditForm()
    if not form.validate_on_submit():
        return _render(quote, form, 400)
    rows = _rows(quote, form)
    data = services.QuoteInput(
        lines=[line for _, line in rows], title=form.title.data, opportunity_id=form.opportunity_id.data,
        requested_discount_percent=form.requested_discount_percent.data,
        justification=form.justification.data, change_note=form.change_note.data)
    was_draft = quote.status == "draft"
    try:
        quote = services.update_quote(current_partner(), user(), quote_id, data)
    except DomainError as exc:
        db.session.rollback()
        quote = services.get_quote(current_partner(), quote_id)
        by_row, general = _row_errors(exc, [key for key, _ in rows])
        apply_domain_error(form, exc)
        if by_row or general:  # shown next to the lines instead of the generic message
            form.form_errors[:] = [m for m in form.form_errors if m != exc.message]
        return _render(quote, form, exc.status, row_errors=by_row, general=general)
    if form.add_cart.data:
        carts.clear_cart(current_partner(), user())
    db.session.commit()
    flash(f"{quote.number} is saved." if was_draft else
          f"{quote.number} revision {quote.revision} is saved as a draft: submit it for approval.", "success")
    return redirect(url_for("quotes.detail", quote_id=quote.id))
