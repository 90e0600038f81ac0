"""Forms of the partner catalog and cart pages; the configuration itself is checked by the service."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.validation import MAX_QUANTITY

QUANTITY_RANGE = NumberRange(1, MAX_QUANTITY, f"Enter a quantity from 1 to {MAX_QUANTITY:,}.")


class AddToCartForm(FlaskForm):
    """Quantity of a product page; the chosen options arrive as a list named `options`."""

    quantity = IntegerField("Quantity", default=1, validators=[InputRequired(), QUANTITY_RANGE])


class QuantityForm(FlaskForm):
    """A cart line's new quantity."""

    quantity = IntegerField("Quantity", validators=[InputRequired(), QUANTITY_RANGE])


class QuickAddForm(FlaskForm):
    """Add a product to the cart by its SKU."""

    sku = StringField("SKU", validators=[DataRequired(), Length(max=64)])
    quantity = IntegerField("Quantity", default=1, validators=[InputRequired(), QUANTITY_RANGE])


class CartActionForm(FlaskForm):
    """A button that changes the cart (remove a line, clear): only the CSRF token."""
