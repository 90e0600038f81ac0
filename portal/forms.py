"""WTForms for the core pages; business validation stays in the services."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional

from portal.errors import DomainError
from portal.models import PARTNER_KINDS, PARTNER_STATUSES, PARTNER_TIERS
from portal.models.users import ROLE_LABELS
from portal.services.auth import MIN_PASSWORD

MAX_PASSWORD = 1024  # longer input is not a password (and would only cost hashing time)

LEAST_PRIVILEGE = "partner_user"  # the role a new user's form starts with


def options(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class LoginForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    remember = BooleanField("Keep me logged in on this device")


class ForgotPasswordForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(), Length(max=254), Email()])


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password",
                             validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)])
    confirm = PasswordField("Repeat the password", validators=[
        DataRequired(), Length(max=MAX_PASSWORD), EqualTo("password", "The passwords differ.")])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)],
                       description="What the token is for, e.g. 'ERP sync'.")


class UserForm(FlaskForm):
    email = StringField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=[])
    partner_id = SelectField("Partner", choices=[], validate_choice=False)
    active = BooleanField("Active", default=True)

    def set_roles(self, roles: tuple[str, ...]) -> None:
        self.role.choices = options((r, ROLE_LABELS[r]) for r in roles)
        if self.role.data is None and not self.is_submitted() and LEAST_PRIVILEGE in roles:
            self.role.data = LEAST_PRIVILEGE  # a new user starts with the least privilege


class PartnerForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=options((k, k.title()) for k in PARTNER_KINDS))
    tier = SelectField("Tier", choices=options((t, t.title()) for t in PARTNER_TIERS))
    country = SelectField("Country", choices=[], validate_choice=False)
    region = SelectField("Region", choices=[], validate_choice=False, description="Sales region.")
    currency = SelectField("Currency", choices=[], validate_choice=False,
                           description="The currency the partner buys and is invoiced in.")
    credit_limit = StringField("Credit limit", validators=[InputRequired(), Length(max=30)],
                               description="In the partner's currency, e.g. 50000.00.")
    payment_terms_days = IntegerField("Payment terms (days)", default=30,
                                      validators=[InputRequired(), NumberRange(0, 365)])
    status = SelectField("Status", choices=options((s, s.title()) for s in PARTNER_STATUSES))
    manager_id = SelectField("Partner manager", choices=[], validate_choice=False,
                             validators=[Optional()])
    price_book_id = SelectField("Assigned price book", choices=[], validate_choice=False,
                                validators=[Optional()],
                                description="Optional: otherwise the book in the partner's currency applies.")


def apply_domain_error(form: FlaskForm, exc: DomainError) -> None:
    """Show a service's field errors next to the fields; the rest above the form."""
    shown = False
    for name, message in exc.fields.items():
        field = getattr(form, name.split(".")[0], None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
            shown = True
    if not shown or not exc.fields:
        form.form_errors.append(exc.message)


def form_data(form: FlaskForm, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(form, name).data for name in names}
