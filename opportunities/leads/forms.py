"""WTForms for the lead pages (partner and staff); the rules stay in the services."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from opportunities.leads.models import ACTIVITY_LABELS
from portal import choices
from portal.errors import DomainError
from portal.forms import options
from portal.models import PARTNER_TIERS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _region_choices() -> list[Any]:
    return options([("", "Choose a region")] + choices.region_options())


def _country_choices() -> list[Any]:
    return options([("", "Choose a country")] + choices.country_options())


def _tiers_field(label: str) -> MultiCheckboxField:
    return MultiCheckboxField(label, choices=options((t, t.title()) for t in PARTNER_TIERS),
                              description="None ticked: every tier.")


class ActivityForm(FlaskForm):
    kind = SelectField("Activity", choices=options(ACTIVITY_LABELS.items()))
    note = TextAreaField("What happened", validators=[DataRequired(), Length(max=5000)],
                         render_kw={"rows": 3,
                                    "placeholder": "e.g. Called the IT manager; demo booked for Tuesday."})


class CampaignForm(FlaskForm):
    """The owner attributes its lead to a campaign (or none)."""

    campaign_id = SelectField("Campaign", choices=[], validate_choice=False, validators=[Optional()])

    def prepare(self, campaigns: list[Any], current: Any = None) -> None:
        """The campaigns the partner may choose, and the lead's current one (even if it no longer qualifies)."""
        pairs = [(str(c.id), f"{c.name} (until {c.ends_on.isoformat()})") for c in campaigns]
        if current is not None and all(c.id != current.id for c in campaigns):
            pairs.insert(0, (str(current.id), current.name))
        self.campaign_id.choices = options([("", "None")] + pairs)


class ReasonForm(FlaskForm):
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])


class LeadForm(FlaskForm):
    company_name = StringField("Company", validators=[DataRequired(), Length(max=200)])
    company_domain = StringField("Web domain", validators=[Optional(), Length(max=253)],
                                 description="e.g. acme.com (not a free e-mail domain).")
    company_country = SelectField("Country", choices=_country_choices, validate_choice=False)
    company_city = StringField("City", validators=[Optional(), Length(max=120)])
    contact_name = StringField("Contact name", validators=[Optional(), Length(max=200)])
    contact_email = StringField("Contact e-mail", validators=[Optional(), Length(max=254)])
    contact_phone = StringField("Contact phone", validators=[Optional(), Length(max=50)])
    families = StringField("Product interest", validators=[DataRequired(), Length(max=500)],
                           description="Product families, separated by commas: hardware, software.")
    region = SelectField("Region", choices=_region_choices, validate_choice=False,
                         description="The pool the lead goes to when no partner is chosen.")
    tiers = _tiers_field("Pool only for tiers")
    partner_id = SelectField("Assign to partner", choices=[], validate_choice=False,
                             description="Leave empty to put the lead in the pool of its region.")
    assignment_deadline = DateField("Accept or decline by", validators=[Optional()],
                                    description="Default: in 3 days.")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    campaign_id = SelectField("Campaign", choices=[], validate_choice=False, validators=[Optional()],
                              description="Optional: the campaign the lead comes from. An assigned lead's "
                                          "campaign must target that partner.")

    def to_input(self) -> dict[str, Any]:
        return {"company": {"name": self.company_name.data, "domain": self.company_domain.data,
                            "country": self.company_country.data, "city": self.company_city.data},
                "contact": {"name": self.contact_name.data, "email": self.contact_email.data,
                            "phone": self.contact_phone.data},
                "families": self.families.data, "region": self.region.data,
                "tiers": list(self.tiers.data or []), "notes": self.notes.data,
                "partner_id": self.partner_id.data or None,
                "assignment_deadline": self.assignment_deadline.data,
                "campaign_id": self.campaign_id.data or None}


class AssignForm(FlaskForm):
    partner_id = SelectField("Partner", choices=[], validate_choice=False, validators=[DataRequired()])
    assignment_deadline = DateField("Accept or decline by", validators=[Optional()],
                                    description="Default: in 3 days.")
    reason = StringField("Reason", validators=[Optional(), Length(max=300)],
                         description="Required when another partner holds the lead.")


class PoolForm(FlaskForm):
    region = SelectField("Region", choices=_region_choices, validate_choice=False)
    tiers = _tiers_field("Only for tiers")
    reason = StringField("Reason", validators=[Optional(), Length(max=300)],
                         description="Required when a partner holds the lead.")


class CloseForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=300)])


class ImportForm(FlaskForm):
    file = FileField("Lead file (.csv or .xlsx)", validators=[FileRequired("Choose a file.")])


def show_errors(form: FlaskForm, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """A service's field errors next to the fields ("company.name" -> company_name)."""
    shown = False
    for key, message in exc.fields.items():
        name = (aliases or {}).get(key, key.replace(".", "_"))
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
            shown = True
    if not shown:
        form.form_errors.append(exc.message)
