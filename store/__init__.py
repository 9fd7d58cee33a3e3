"""The store: opening the database, its schema migrations and every write to it (accounts included)."""
