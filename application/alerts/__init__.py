"""Alerts: the rules judged against the views and the clock, and their thresholds."""
