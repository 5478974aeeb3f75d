"""Reports built from the log: daily activity per site, the post-election review."""
