"""The products a launch can lead to, and what each accepts as launch parameters."""
