"""The web dashboard: server-rendered pages over the read model, for people."""
