"""The audit trail of mailbox reads: which server key read whose mailbox, what and when."""
