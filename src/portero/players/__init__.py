"""Players: a partner's end users, known by the partner's own id for them."""
