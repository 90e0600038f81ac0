"""Back office: products, option groups, rules; price books, tier discounts, contract prices."""
from admin.blueprint import bp  # noqa: F401
