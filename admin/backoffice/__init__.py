"""Back-office reads across features: the approvals queue, the partner 360 and the end-customer 360.

Modules here only read through the features' models and queue queries and act through the
features' services; they flush but never commit, and never read the request or `current_user`.
"""
