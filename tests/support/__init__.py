"""What the tests share: users and messages, real servers, raw ASGI and SSE clients,
statement counting, and the test databases."""
