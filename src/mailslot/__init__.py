"""mailslot: a self-hosted mailbox-style messaging service."""

__version__ = "0.1.0"
