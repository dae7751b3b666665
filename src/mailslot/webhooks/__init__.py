"""Webhooks: events written to an outbox in the transaction of the change they describe,
delivered to a host's endpoints in the Standard Webhooks format, retried, logged."""
