"""Quote forms; percentages and business rules are checked by the services, so the messages are
the same on the pages and in the API."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

PERCENT_HELP = "Extra discount on top of your price, e.g. 5 or 7.5. Leave 0 for none."
NUMBER_LEN = Length(max=30)  # a percentage or a quantity as typed


class QuoteHeaderForm(FlaskForm):
    title = StringField("Reference", validators=[Optional(), Length(max=200)],
                        description="Your reference, e.g. the end customer and project.")
    opportunity_id = IntegerField("Deal registration #", validators=[Optional(), NumberRange(min=1)],
                                  description="Optional: the number of one of your approved deal "
                                              "registrations, for its deal discount.")
    requested_discount_percent = StringField("Requested extra discount (%)", default="0",
                                             validators=[NUMBER_LEN], description=PERCENT_HELP)
    justification = TextAreaField("Justification", validators=[Optional(), Length(max=4000)],
                                  description="Why the extra discount is needed (competition, "
                                              "volume, strategic account…).")


class QuoteFromCartForm(QuoteHeaderForm):
    empty_cart = BooleanField("Empty my cart once the quote is created", default=True)


class QuoteEditForm(QuoteHeaderForm):
    change_note = TextAreaField("What changed and why", validators=[Optional(), Length(max=4000)],
                                description="Shown in the quote's history.")
    add_sku = StringField("Add a product (SKU)", validators=[Optional(), Length(max=64)])
    add_quantity = StringField("Quantity", default="1", validators=[NUMBER_LEN])
    add_options = StringField("Option codes", validators=[Optional(), Length(max=500)],
                              description="Comma-separated, for a configurable product.")
    add_cart = BooleanField("Add the lines of my cart")


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[InputRequired("A reason is required."), Length(max=2000)])


class ApproveForm(FlaskForm):
    discount_percent = StringField("Approved extra discount (%)", validators=[NUMBER_LEN],
                                   description="The requested one, or lower.")
    comment = TextAreaField("Comment to the partner", validators=[Optional(), Length(max=2000)])


class ActionForm(FlaskForm):
    """A button that posts (CSRF only)."""
