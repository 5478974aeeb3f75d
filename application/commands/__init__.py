"""The commands of the Jaga application, one module per feature."""
