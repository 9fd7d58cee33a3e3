"""Demo data: the literal content of a fictitious Cooperation Framework (content) and its writers (generate)."""
