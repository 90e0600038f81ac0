"""Ordering: checkout from the cart or a quote, quick order, credit check, card payment through
Stripe, the order status machine, order history and the staff order desk."""
