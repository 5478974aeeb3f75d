"""Reports as people read them: printable HTML pages and PDF."""
