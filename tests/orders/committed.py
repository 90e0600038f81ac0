"""A second app on the same database whose requests really commit (the session app's tests run
in a rolled-back transaction), for concurrency tests on PostgreSQL; everything it creates is
deleted afterwards."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import delete, or_, select

from catalog.models import PriceBook, PriceBookEntry, Product
from catalog.services import pricebooks, products
from orders.models import Order, ShipToAddress, StripeEvent
from orders.services import addresses
from portal import create_app
from portal.extensions import db
from portal.models import ApiToken, AuditEntry, OutboxEmail, Partner, User
from portal.services import tokens


@dataclass
class World:
    partner_id: int
    user_ids: list[int]
    tokens: list[str]
    skus: list[str]
    book_id: int


def make_app(url: str, **extra) -> Flask:
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "committed",
              "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
              "CELERY_BROKER_URL": None, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 25, "max_overflow": 5}}
    config.update(extra)
    return create_app(config)


def restore_celery(app: Flask) -> None:
    """Creating another app made its Celery app the default and the current one: give both
    roles back to the session app's (shared tasks resolve through them)."""
    celery = app.extensions["celery"]
    celery.set_default()
    celery.set_current()


def build_world(app: Flask, credit_limit_minor: int, users: int = 1) -> World:
    """A partner with its own EUR price book (two products at 600.00 and 10.00) and users."""
    tag = uuid.uuid4().hex[:8].upper()
    with app.app_context():
        skus = [f"CC-{tag}-BIG", f"CC-{tag}-SMALL"]
        for sku in skus:
            products.create_product(None, {"sku": sku, "name": f"Item {sku}", "family": "hardware"})
        book = pricebooks.create_price_book(None, {
            "name": f"Concurrency {tag}", "currency": "EUR", "valid_from": date.today() - timedelta(days=1),
            "entries": [{"code": skus[0], "unit_price": "600.00"}, {"code": skus[1], "unit_price": "10.00"}]})
        partner = Partner(name=f"Concurrent {tag}", kind="reseller", tier="registered", country="DE",
                          region="EMEA", currency="EUR", credit_limit_minor=credit_limit_minor,
                          payment_terms_days=30, status="active", price_book_id=book.id)
        db.session.add(partner)
        db.session.flush()
        addresses.add_address(partner, {"recipient": "C", "street": "S 1", "city": "Köln", "country": "DE"})
        made, raws = [], []
        for n in range(users):
            user = User(email=f"buyer{n}-{tag.lower()}@example.com", name="Buyer", role="partner_user",
                        partner_id=partner.id)
            db.session.add(user)
            db.session.flush()
            raws.append(tokens.issue_token(None, user, "concurrency")[1])
            made.append(user.id)
        db.session.commit()
        return World(partner.id, made, raws, skus, book.id)


def destroy_world(app: Flask, world: World) -> None:
    with app.app_context():
        order_ids = select(Order.id).where(Order.partner_id == world.partner_id).scalar_subquery()
        db.session.execute(delete(StripeEvent).where(StripeEvent.order_id.in_(order_ids)))
        db.session.execute(delete(Order).where(Order.partner_id == world.partner_id))
        db.session.execute(delete(ShipToAddress).where(ShipToAddress.partner_id == world.partner_id))
        emails = list(db.session.scalars(select(User.email).where(User.id.in_(world.user_ids))))
        db.session.execute(delete(OutboxEmail).where(OutboxEmail.recipient.in_(emails)))
        db.session.execute(delete(AuditEntry).where(or_(AuditEntry.partner_id == world.partner_id,
                                                        AuditEntry.actor_id.in_(world.user_ids))))
        db.session.execute(delete(ApiToken).where(ApiToken.user_id.in_(world.user_ids)))
        db.session.execute(delete(User).where(User.id.in_(world.user_ids)))
        db.session.execute(delete(Partner).where(Partner.id == world.partner_id))
        db.session.execute(delete(PriceBookEntry).where(PriceBookEntry.price_book_id == world.book_id))
        db.session.execute(delete(PriceBook).where(PriceBook.id == world.book_id))
        for sku in world.skus:
            product = db.session.scalars(select(Product).where(Product.sku == sku)).first()
            if product is not None:
                db.session.delete(product)
        db.session.commit()
