"""Alerts: the evaluator, its leadership, webhook delivery and what they store."""
