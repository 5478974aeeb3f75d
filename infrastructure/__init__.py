"""How Jaga is stored and secured: stores, settings, audit log, logging."""
