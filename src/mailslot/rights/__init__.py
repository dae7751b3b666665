"""Data rights: a user's export, the erasure of an account, retention (design §7)."""
