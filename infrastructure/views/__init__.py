"""The projections' tables, the batched runner, rebuilds and the read model."""
