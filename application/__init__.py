"""What users can do: commands, the election calendar, projections and queries."""
