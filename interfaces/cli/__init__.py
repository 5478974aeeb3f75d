"""The `jaga` command."""
