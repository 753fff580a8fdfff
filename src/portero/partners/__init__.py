"""Partners: the businesses that call Portero, their tokens and their launch configuration."""
