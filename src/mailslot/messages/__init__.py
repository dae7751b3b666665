"""Sending, mailboxes, read state and deletion."""
