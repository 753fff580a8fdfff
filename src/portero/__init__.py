"""Portero: authenticated partners mint one-time links that drop their users into a product."""

__version__ = "0.1.0"
