"""WTForms for campaign and MDF pages; business validation stays in the services."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from opportunities.campaigns.models import Campaign
from opportunities.campaigns.services.values import percent_text
from portal import choices
from portal.forms import options
from portal.models import PARTNER_KINDS, PARTNER_TIERS

DATE_MESSAGE = "Enter a date (YYYY-MM-DD)."


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class CampaignForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=20000)], render_kw={"rows": 8},
                                description="Markdown: **bold**, *italic*, lists with '-', [links](https://…).")
    starts_on = DateField("Starts on", validators=[InputRequired(DATE_MESSAGE)])
    ends_on = DateField("Ends on", validators=[InputRequired(DATE_MESSAGE)])
    tiers = CheckboxesField("Partner tiers", choices=options((t, t.title()) for t in PARTNER_TIERS),
                            description="None ticked: every tier.")
    kinds = CheckboxesField("Partner kinds", choices=options((k, k.title()) for k in PARTNER_KINDS),
                            description="None ticked: every kind.")
    regions = CheckboxesField("Regions", choices=[], validate_choice=False,
                              description="None ticked: every region.")
    products = SelectMultipleField("Promoted products", choices=[], validate_choice=False,
                                   description="Hold Ctrl (⌘ on a Mac) to choose several.")
    price_rule_percent = StringField("Campaign price: % off promoted products", validators=[Optional(), Length(max=30)],
                                     description="Optional. Applied by the pricing engine on the campaign's dates.")
    currency = SelectField("MDF currency", choices=[], validate_choice=False, default="EUR")
    mdf_budget = StringField("MDF budget", validators=[InputRequired(), Length(max=30)], default="0",
                             description="Market development funds partners can request; 0 for none.")

    def load_choices(self, products: list[tuple[str, str]]) -> None:
        """The configured sales regions and supported currencies; values the campaign already
        has stay offered after they leave the settings (the service checks them)."""
        chosen = [r for r in (self.regions.data or []) if r not in choices.regions()]
        self.regions.choices = options((r, r) for r in (*choices.regions(), *chosen))
        currencies = choices.currency_options()
        if self.currency.data and self.currency.data not in dict(currencies):
            currencies.append((self.currency.data, self.currency.data))
        self.currency.choices = currencies
        chosen_skus = set(self.products.data or [])
        self.products.choices = options(sorted(products, key=lambda p: p[0] not in chosen_skus))  # chosen first

    def payload(self) -> dict[str, Any]:
        return {"name": self.name.data, "description": self.description.data or "",
                "starts_on": self.starts_on.data, "ends_on": self.ends_on.data, "tiers": self.tiers.data or [],
                "kinds": self.kinds.data or [], "regions": self.regions.data or [],
                "products": self.products.data or [], "price_rule_percent": self.price_rule_percent.data,
                "currency": self.currency.data, "mdf_budget": self.mdf_budget.data}


def campaign_form_data(campaign: Campaign) -> dict[str, Any]:
    return {"name": campaign.name, "description": campaign.description, "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on, "tiers": campaign.tiers, "kinds": campaign.kinds,
            "regions": campaign.regions, "products": campaign.skus,
            "price_rule_percent": percent_text(campaign.price_rule_percent) or "", "currency": campaign.currency,
            "mdf_budget": campaign.mdf_budget.as_str()}


class AssetForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)], description="Optional: the file name otherwise.")
    file = FileField("File")


class MdfRequestForm(FlaskForm):
    activity = StringField("Activity", validators=[DataRequired(), Length(max=200)],
                           description="e.g. 'Security roadshow, Munich'.")
    plan = TextAreaField("Plan", validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 6},
                         description="What you will do, for whom, and what you expect from it.")
    starts_on = DateField("Activity starts on", validators=[InputRequired(DATE_MESSAGE)])
    ends_on = DateField("Activity ends on", validators=[InputRequired(DATE_MESSAGE)])
    amount = StringField("Amount", validators=[DataRequired(), Length(max=30)])


class ClaimForm(FlaskForm):
    amount = StringField("Amount claimed", validators=[DataRequired(), Length(max=30)])
    note = TextAreaField("Note", validators=[Length(max=20000)], render_kw={"rows": 3},
                         description="Optional: results of the activity, what the files show.")
    files = MultipleFileField("Proof files")


class DecisionForm(FlaskForm):
    amount = StringField("Amount", validators=[Optional(), Length(max=30)])
    comment = TextAreaField("Comment", validators=[Length(max=2000)], render_kw={"rows": 2})


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)], render_kw={"rows": 2})


class PaymentForm(FlaskForm):
    reference = StringField("Payment reference", validators=[Length(max=100)])
