"""Forms of the registration pages; the business rules are checked by the services."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from opportunities.registrations.services import CustomerInput, RegistrationInput
from opportunities.registrations.services.inputs import RegistrationError, clean_registration
from portal import choices
from portal.errors import DomainError
from portal.forms import options

# Service field paths -> form field names.
FIELD_NAMES = {
    "customer.name": "customer_name", "customer.domain": "customer_domain", "customer.country": "customer_country",
    "customer.city": "customer_city", "customer.vat_id": "customer_vat", "contact.name": "contact_name",
    "contact.email": "contact_email", "name": "customer_name", "domain": "customer_domain",
    "country": "customer_country", "city": "customer_city", "vat_id": "customer_vat",
}


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one list value."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _country_choices() -> list[Any]:
    return options([("", "Choose a country")] + choices.country_options())


class CustomerFields(FlaskForm):
    """The end customer: shared by the registration form and the availability check."""

    customer_name = StringField("Company name", validators=[DataRequired(), Length(max=400)])
    customer_domain = StringField("Website or e-mail domain", validators=[Optional(), Length(max=254)],
                                  description="e.g. acme.com or buyer@acme.com; free e-mail domains do not count.")
    customer_country = SelectField("Country", choices=[], validate_choice=False, validators=[DataRequired()])
    customer_city = StringField("City", validators=[Optional(), Length(max=100)])
    customer_vat = StringField("VAT id", validators=[Optional(), Length(max=40)], description="Optional, e.g. DE129274202.")
    families = MultiCheckboxField("Product families", choices=[], validate_choice=False)

    def prepare(self, families: list[str]) -> None:
        """Fill the country and family choices."""
        self.customer_country.choices = _country_choices()
        self.families.choices = options((f, f.capitalize()) for f in families)

    def customer(self) -> CustomerInput:
        return CustomerInput(name=self.customer_name.data or "", country=self.customer_country.data or "",
                             domain=self.customer_domain.data, city=self.customer_city.data,
                             vat_id=self.customer_vat.data)


class RegistrationForm(CustomerFields):
    """Register an opportunity."""

    skus = StringField("SKUs", validators=[Optional(), Length(max=500)],
                       description="Optional: product SKUs, separated by commas; their families are added.")
    amount = StringField("Estimated amount", validators=[DataRequired(), Length(max=30)])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)])
    expected_close = DateField("Expected close date", validators=[DataRequired(message="Give a date.")])
    contact_name = StringField("Contact name", validators=[Optional(), Length(max=200)])
    contact_email = StringField("Contact e-mail", validators=[Optional(), Length(max=254)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    campaign_id = SelectField("Campaign", choices=[], validate_choice=False, validators=[Optional()],
                              description="Optional: the channel campaign this deal comes from.")

    def prepare_campaigns(self, campaigns: list[Any]) -> None:
        """Offer the campaigns the partner may attribute a deal to (None first)."""
        self.campaign_id.choices = options([("", "None")] + [
            (str(c.id), f"{c.name} (until {c.ends_on.isoformat()})") for c in campaigns])
        if not campaigns:
            self.campaign_id.description = "No campaign runs for your company at the moment."

    def to_input(self) -> RegistrationInput:
        skus = [s.strip() for s in (self.skus.data or "").split(",") if s.strip()]
        return RegistrationInput(
            customer=self.customer(), families=self.families.data or [], skus=skus, amount=self.amount.data,
            currency=self.currency.data, expected_close=self.expected_close.data,
            contact_name=self.contact_name.data, contact_email=self.contact_email.data,
            notes=self.notes.data or "", source="portal")


class AvailabilityForm(CustomerFields):
    """Ask whether a customer is available before registering."""


class OutcomeForm(FlaskForm):
    """Record won (with the order) or lost (with a reason)."""

    result = SelectField("Outcome", choices=options([("won", "Won"), ("lost", "Lost")]))
    order_id = StringField("Order id", validators=[Optional(), Length(max=12)], description="When won: the order's id.")
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=1000)], description="When lost: why.")


class ActionForm(FlaskForm):
    """A button (extension request): only the CSRF token."""


class DecisionForm(FlaskForm):
    """The manager's approval (protection, discount, conflicting ones to reject) or rejection."""

    protection_days = StringField("Protection (days)", validators=[Optional(), Length(max=4)])
    discount_percent = StringField("Deal discount (%)", validators=[Optional(), Length(max=8)],
                                   description="Optional; pricing applies it to the registered families.")
    reject_ids = MultiCheckboxField("Reject these conflicting registrations too", choices=[], validate_choice=False,
                                    coerce=int)
    rejection_reason = TextAreaField("Reason given to the rejected ones", validators=[Optional(), Length(max=1000)])


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(message="Say why it is rejected."), Length(max=1000)])


class HouseAccountForm(FlaskForm):
    """A house account."""

    customer_name = StringField("Company name", validators=[DataRequired(), Length(max=400)])
    customer_domain = StringField("Website or e-mail domain", validators=[Optional(), Length(max=254)])
    customer_country = SelectField("Country", choices=[], validate_choice=False, validators=[DataRequired()])
    customer_city = StringField("City", validators=[Optional(), Length(max=100)])
    customer_vat = StringField("VAT id", validators=[Optional(), Length(max=40)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)])
    active = BooleanField("Active (new registrations of this customer go to review)", default=True)

    def prepare(self) -> None:
        self.customer_country.choices = _country_choices()

    def data_dict(self) -> dict[str, Any]:
        return {"name": self.customer_name.data, "domain": self.customer_domain.data,
                "country": self.customer_country.data, "city": self.customer_city.data,
                "vat_id": self.customer_vat.data, "notes": self.notes.data, "active": self.active.data}


def add_rule_errors(form: RegistrationForm, today: date) -> None:
    """After the form's own checks failed, also show the service's rules (domain, amount, close date) for
    the fields that have no error yet, so that one submit shows every problem."""
    try:
        clean_registration(form.to_input(), today)
    except RegistrationError as exc:
        for path, message in exc.fields.items():
            field = getattr(form, FIELD_NAMES.get(path, path), None)
            if field is not None and hasattr(field, "errors") and not field.errors:
                field.errors = [message]


def show_errors(form: FlaskForm, exc: DomainError) -> None:
    """Put a service's field errors next to the form's fields; the rest above the form."""
    placed = False
    for path, message in exc.fields.items():
        field = getattr(form, FIELD_NAMES.get(path, path), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
            placed = True
    if not placed:
        form.form_errors.append(exc.message)
