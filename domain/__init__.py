"""What the election-security world is: aggregates, their events and invariants."""
