"""Catalog and pricing API (CONTRACT.md "Catalog and pricing")."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog import serializers as out
from catalog.api_schemas import (
    ContractPriceList, ContractPricesReplace, EntriesReplace, PriceBookCreate, PriceBookOut,
    PricingOut, PricingRequest, ProductCreate, ProductOut, ProductUpdate, TierDiscountList,
    TierDiscountsReplace,
)
from catalog.models import PriceBook, Product, TierDiscount
from catalog.services import pricebooks, pricing, products
from portal.api.core import api_blueprint, documented, list_page, parse
from portal.db import get_or_404
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.models import Partner
from portal.permissions import login_required, staff_required
from portal.tenancy import current_partner

bp = api_blueprint("catalog_api", __name__)
CATALOG_EDITORS = ("sales_ops",)


@bp.post("/products")
@staff_required(*CATALOG_EDITORS)
@documented(summary="Create a product (with option groups and rules)", body=ProductCreate,
            response=ProductOut, status=201, roles="sales_ops, admin", errors=(400, 403, 422))
def create_product():
    product = products.create_product(current_user, parse(ProductCreate).model_dump(exclude_none=True))
    db.session.commit()
    return jsonify(out.product(product)), 201


@bp.get("/products")
@login_required
@documented(summary="Search products; partner users get their net unit price", response=ProductOut,
            list_of=True, query={"q": "SKU or name contains", "family": "product family",
                                 "active": "staff: true or false"})
def list_products():
    partner = current_partner()
    stmt = products.search(request.args.get("q"), request.args.get("family"), active_only=partner is not None)
    if partner is None and request.args.get("active") in ("true", "false"):
        stmt = stmt.where(Product.active.is_(request.args["active"] == "true"))
    page = list_page(stmt.order_by(Product.name, Product.id).options(selectinload(Product.groups)))
    prices = pricing.list_prices(partner, page.items) if partner is not None else {}
    return jsonify(page.envelope([out.product(p, full=False, price=prices.get(p.sku), priced=partner is not None)
                                  for p in page.items]))


@bp.get("/products/<sku>")
@login_required
@documented(summary="A product with its option groups and rules", response=ProductOut, errors=(404,))
def get_product(sku: str):
    product = products.get_by_sku(sku)
    partner = current_partner()
    if product is None or (partner is not None and not product.active):
        abort(404)
    price = pricing.list_prices(partner, [product]).get(product.sku) if partner is not None else None
    return jsonify(out.product(product, price=price, priced=partner is not None))


@bp.patch("/products/<sku>")
@staff_required(*CATALOG_EDITORS)
@documented(summary="Change a product (option groups and rules are replaced when given)",
            body=ProductUpdate, response=ProductOut, roles="sales_ops, admin", errors=(400, 404, 422))
def update_product(sku: str):
    product = products.get_by_sku(sku)
    if product is None:
        abort(404)
    products.update_product(current_user, product, parse(ProductUpdate).model_dump(exclude_unset=True))
    db.session.commit()
    return jsonify(out.product(product))


@bp.post("/price-books")
@staff_required(*CATALOG_EDITORS)
@documented(summary="Create a price book with its entries", body=PriceBookCreate, response=PriceBookOut,
            status=201, roles="sales_ops, admin", errors=(400, 422))
def create_price_book():
    book = pricebooks.create_price_book(current_user, parse(PriceBookCreate).model_dump(exclude_none=True))
    db.session.commit()
    return jsonify(out.price_book(book, entries=False)), 201


@bp.get("/price-books")
@staff_required()
@documented(summary="List price books", response=PriceBookOut, list_of=True, roles="staff")
def list_price_books():
    page = list_page(select(PriceBook).order_by(PriceBook.currency, PriceBook.valid_from.desc(), PriceBook.id))
    return jsonify(page.envelope([out.price_book(b, entries=False) for b in page.items]))


@bp.get("/price-books/<id:book_id>")
@staff_required()
@documented(summary="A price book with its entries (?entries=false to leave them out)",
            response=PriceBookOut, roles="staff", errors=(404,))
def get_price_book(book_id: int):
    book = get_or_404(PriceBook, book_id)
    return jsonify(out.price_book(book, entries=request.args.get("entries") != "false"))


@bp.put("/price-books/<id:book_id>/entries")
@staff_required(*CATALOG_EDITORS)
@documented(summary="Replace all entries (validated first; all-or-nothing)", body=EntriesReplace,
            response=PriceBookOut, roles="sales_ops, admin", errors=(400, 404, 422))
def replace_entries(book_id: int):
    book = get_or_404(PriceBook, book_id)
    body = parse(EntriesReplace)
    pricebooks.replace_entries(current_user, book, [e.model_dump(exclude_none=True) for e in body.entries])
    db.session.commit()
    return jsonify(out.price_book(book, entries=False))


@bp.get("/tier-discounts")
@staff_required()
@documented(summary="All tier discounts", response=TierDiscountList, roles="staff")
def get_tier_discounts():
    rows = db.session.scalars(select(TierDiscount).order_by(TierDiscount.tier, TierDiscount.family))
    return jsonify({"discounts": [out.tier_discount(d) for d in rows]})


@bp.put("/tier-discounts")
@staff_required(*CATALOG_EDITORS)
@documented(summary="Replace all tier discounts", body=TierDiscountsReplace, response=TierDiscountList,
            roles="sales_ops, admin", errors=(400, 422))
def put_tier_discounts():
    body = parse(TierDiscountsReplace)
    items = pricebooks.set_tier_discounts(current_user, [d.model_dump() for d in body.discounts])
    db.session.commit()
    return jsonify({"discounts": [out.tier_discount(d) for d in items]})


@bp.get("/partners/<id:partner_id>/contract-prices")
@staff_required()
@documented(summary="A partner's contract prices", response=ContractPriceList, roles="staff", errors=(404,))
def get_contract_prices(partner_id: int):
    partner = get_or_404(Partner, partner_id)
    return jsonify(out.contract_prices(partner, pricebooks.contract_prices_of(partner)))


@bp.put("/partners/<id:partner_id>/contract-prices")
@staff_required(*CATALOG_EDITORS)
@documented(summary="Replace all contract prices of a partner (in its currency)", body=ContractPricesReplace,
            response=ContractPriceList, roles="sales_ops, admin", errors=(400, 404, 422))
def put_contract_prices(partner_id: int):
    partner = get_or_404(Partner, partner_id)
    body = parse(ContractPricesReplace)
    items = pricebooks.set_contract_prices(partner, current_user, [p.model_dump() for p in body.prices])
    db.session.commit()
    return jsonify(out.contract_prices(partner, items))


@bp.post("/pricing")
@login_required
@documented(summary="Price lines with the waterfall that explains each price", body=PricingRequest,
            response=PricingOut, errors=(400, 404, 422))
def price():
    body = parse(PricingRequest)
    partner = current_partner()
    if partner is None:
        if body.partner_id is None:
            raise ValidationFailed("Staff price as a partner: give partner_id.",
                                   fields={"partner_id": "Required for staff."})
        partner = db.session.get(Partner, body.partner_id)
        if partner is None:
            raise ValidationFailed("Unknown partner.", fields={"partner_id": "No such partner."})
    deal = pricing.deal_for(partner, body.opportunity_id) if body.opportunity_id is not None else None
    document = pricing.price_lines(partner, pricing.lines_from(l.model_dump() for l in body.lines), deal=deal)
    return jsonify(document.as_dict())
