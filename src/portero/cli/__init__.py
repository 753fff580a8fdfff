"""The `portero` command."""
