"""Live delivery: the change-event envelope, the brokers, the streams and their endpoints."""
