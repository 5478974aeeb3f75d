"""How people reach Jaga: the HTTP API, the `jaga` command and the dashboard."""
