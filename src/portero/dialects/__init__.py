"""Wire formats. Each dialect maps its requests onto the core services and the core's errors
onto its own codes, in one table per dialect."""
