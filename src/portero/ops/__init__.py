"""Liveness, readiness and metrics for whoever runs Portero."""
