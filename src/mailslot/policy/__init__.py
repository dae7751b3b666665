"""Who may message whom: the host's messaging policy over its users' groups (issue 22)."""
