"""Account erasure: the ledger, the erasure itself in batches, its re-application after
a restore (docs/erasure.md)."""
