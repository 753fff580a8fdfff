"""Webhooks in the Standard Webhooks format: the partner's endpoints, the events recorded with
the changes they report, and their signed delivery through the delivery engine."""
