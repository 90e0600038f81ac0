"""Partner catalog pages: browse, product page and configurator, cart."""
from flask import Blueprint

bp = Blueprint("catalog", __name__)
