"""Portero's own API (v1), in the style of Stripe's."""
