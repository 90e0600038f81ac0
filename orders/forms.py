"""Forms of the order pages; the business rules stay in the services."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, PasswordField, RadioField, SelectField,
    StringField, TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal import choices
from portal.forms import options

NEW_ADDRESS = "new"


def country_select() -> list[Any]:
    """Every ISO 3166 country by name; the service checks the code sent."""
    return options([("", "Choose a country")] + choices.country_options())


class CheckoutForm(FlaskForm):
    po_number = StringField("Your PO number", validators=[DataRequired("Your purchase order number is required."),
                                                          Length(max=64)])
    address_id = SelectField("Ship to", choices=[], validate_choice=False)
    recipient = StringField("Recipient / company", validators=[Optional(), Length(max=200)])
    street = StringField("Street and number", validators=[Optional(), Length(max=300)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=20)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    country = SelectField("Country", choices=lambda: country_select(), validate_choice=False)
    save_address = BooleanField("Save this address for later orders", default=True)
    requested_date = DateField("Requested delivery date", validators=[Optional()],
                               description="Optional; not before today.")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)], render_kw={"rows": 3})
    payment_method = RadioField("Payment", choices=[], default="on_account",
                                validators=[DataRequired("Choose how to pay.")])
    opportunity_id = IntegerField("Deal registration number", validators=[Optional(), NumberRange(1)],
                                  description="Optional: an approved registration of yours gives its deal discount.")
    quote_id = HiddenField()
    token = HiddenField()

    def validate_requested_date(self, field: Any) -> None:
        if field.data and field.data < date.today():
            raise ValidationError("The requested date cannot be in the past.")

    def ship_to(self) -> dict[str, Any]:
        """The ship-to part for the service: a saved address id or the typed fields."""
        if self.address_id.data and self.address_id.data != NEW_ADDRESS:
            return {"address_id": self.address_id.data}
        return {name: getattr(self, name).data for name in
                ("recipient", "street", "postal_code", "city", "country")}

    def header(self) -> dict[str, Any]:
        return {"po_number": self.po_number.data, "payment_method": self.payment_method.data,
                "ship_to": self.ship_to(), "requested_date": self.requested_date.data,
                "notes": self.notes.data, "opportunity_id": self.opportunity_id.data}


class QuickOrderForm(FlaskForm):
    lines = TextAreaField("Paste lines", validators=[Optional(), Length(max=200_000)], render_kw={"rows": 8},
                          description="One line per product: SKU and quantity, separated by a space, "
                                      "comma, semicolon or tab (copied from Excel works).")
    file = FileField("…or upload a CSV or Excel (.xlsx) file",
                     description="First column SKU, second quantity; a header row is skipped.")


class CardForm(FlaskForm):
    name = StringField("Name on the card", validators=[Optional(), Length(max=200)])
    number = StringField("Card number", validators=[DataRequired("Enter the card number."), Length(max=23),
                                                    Regexp(r"^[\d ]{12,23}$", message="Digits only.")])
    expiry = StringField("Expiry (MM/YY)", validators=[DataRequired("Enter the expiry date."), Length(max=9),
                                                       Regexp(r"^\s*(0[1-9]|1[0-2])\s*/\s*(\d{2}|\d{4})\s*$",
                                                              message="Use MM/YY.")])
    cvc = PasswordField("Security code (CVC)", validators=[DataRequired("Enter the CVC."), Length(max=4),
                                                           Regexp(r"^\d{3,4}$", message="3 or 4 digits.")])

    def validate_number(self, field: Any) -> None:
        digits = field.data.replace(" ", "")
        if not luhn_ok(digits):
            raise ValidationError("This card number is not valid.")

    def validate_expiry(self, field: Any) -> None:
        month, year = self.month_year()
        today = date.today()
        if (year, month) < (today.year, today.month):
            raise ValidationError("This card has expired.")

    def month_year(self) -> tuple[int, int]:
        month, _, year = (self.expiry.data or "").replace(" ", "").partition("/")
        y = int(year) if year.isdigit() else 0
        return (int(month) if month.isdigit() else 0), (y + 2000 if y < 100 else y)


class AddressForm(FlaskForm):
    label = StringField("Label", validators=[Optional(), Length(max=100)], description="e.g. Main warehouse")
    recipient = StringField("Recipient / company", validators=[DataRequired(), Length(max=200)])
    street = StringField("Street and number", validators=[DataRequired(), Length(max=300)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=20)])
    city = StringField("City", validators=[DataRequired(), Length(max=100)])
    country = SelectField("Country", choices=lambda: country_select(), validate_choice=False)
    is_default = BooleanField("Use as default address")


class ActionForm(FlaskForm):
    """A button (cancel, reorder, remove): only the CSRF token, plus an optional reason."""

    reason = StringField("Reason", validators=[Optional(), Length(max=500)])


def luhn_ok(digits: str) -> bool:
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0
