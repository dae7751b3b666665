"""The event bus: committed events and notes fanned out to every process. It knows
envelopes, users and sequence numbers, no domain: domains publish into it, adapters
(realtime) subscribe."""
