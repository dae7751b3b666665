"""Users, passwords, tokens and sign-in state."""
