"""The call product's directory: a partner's categories and agents (seed 002's
`categoryCode` and `userCode`)."""
