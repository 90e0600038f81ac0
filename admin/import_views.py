"""Back office: price book and product imports (CSV / Excel) with preview and progress."""
from admin.blueprint import bp  # noqa: F401
