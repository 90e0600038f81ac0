"""The upload form: what the file contains, the target price book, the file."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField

from catalog.imports import KINDS
from catalog.models import PriceBook
from portal.extensions import db
from portal.forms import options


class ImportForm(FlaskForm):
    books: list[PriceBook]
    kind = SelectField("The file contains", choices=options(KINDS.items()))
    price_book_id = SelectField("Price book", choices=[], validate_choice=False,
                                description="For price book entries: its entries become the file's rows once you apply.")
    file = FileField("File", validators=[FileRequired("Choose a .csv or .xlsx file.")],
                     description="CSV (UTF-8) or Excel .xlsx.")

    def load_books(self) -> None:
        """Fill the price book choices, newest validity first."""
        self.books = list(db.session.scalars(
            select(PriceBook).order_by(PriceBook.valid_from.desc(), PriceBook.id.desc())))
        self.price_book_id.choices = options([("", "Choose a price book")] + [
            (str(b.id), f"{b.name} ({b.currency}, from {b.valid_from.isoformat()})") for b in self.books])

    def book_id(self) -> int | None:
        """The chosen price book id, if any."""
        try:
            return int(self.price_book_id.data or 0) or None
        except (TypeError, ValueError):
            return None
