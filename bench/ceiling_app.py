"""The reference page of bench/speed.py (issue 19): the ceiling a catalog list can reach on this
machine. A bare Flask app with plain SQLAlchemy: ONE ORM query for the 20 active products the
portal's catalog page 1 shows (ordered by name, then id, as `catalog.services.browse.catalog_page`
sorts by default), rendered with a small Jinja template as an HTML table. No log-in, no session,
no prices, none of the portal's code.

    DATABASE_URL=postgresql+psycopg://... gunicorn -w 2 'bench.ceiling_app:create_app()'
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    scoped_session,
    sessionmaker,
)

PER_PAGE = 20


class Base(DeclarativeBase):
    pass


class Product(Base):
    """The columns of the portal's `products` table the page shows."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool]


def page_one_query():
    """The portal catalog's page 1 order: active products by name, then id; 20 of them."""
    return (select(Product).where(Product.active.is_(True))
            .order_by(Product.name.asc(), Product.id.asc()).limit(PER_PAGE))


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
    engine = create_engine(database_url or os.environ["DATABASE_URL"])
    session = scoped_session(sessionmaker(engine))
    app.extensions["ceiling_engine"] = engine

    @app.get("/")
    def products():
        return render_template("ceiling.html", products=session.scalars(page_one_query()).all())

    @app.teardown_appcontext
    def remove_session(exc):
        session.remove()

    return app


def create_fsa_app(database_url: str | None = None) -> Flask:
    """The same page with Flask-SQLAlchemy instead of plain SQLAlchemy (`db.session`, the model
    on `db.Model`): what its per-request session handling adds (bench/speed.py --ceiling fsa)."""
    from flask_sqlalchemy import SQLAlchemy

    app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url or os.environ["DATABASE_URL"]
    db = SQLAlchemy(app)

    class FsaProduct(db.Model):
        __tablename__ = "products"
        id: Mapped[int] = mapped_column(primary_key=True)
        sku: Mapped[str] = mapped_column(String(64))
        name: Mapped[str] = mapped_column(String(200))
        family: Mapped[str] = mapped_column(String(64))
        unit: Mapped[str] = mapped_column(String(20))
        active: Mapped[bool]

    with app.app_context():
        app.extensions["ceiling_engine"] = db.engine

    @app.get("/")
    def products():
        stmt = (db.select(FsaProduct).where(FsaProduct.active.is_(True))
                .order_by(FsaProduct.name.asc(), FsaProduct.id.asc()).limit(PER_PAGE))
        return render_template("ceiling.html", products=db.session.scalars(stmt).all())

    return app
