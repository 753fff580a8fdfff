"""HTTP plumbing shared by every API: runtime state, dependencies, middleware, error dispatch."""
