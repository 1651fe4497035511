"""Pages for guests (no account): each ticket's own page behind an unguessable link."""
