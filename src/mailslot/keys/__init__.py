"""Server keys: the credentials of a host application's backend (the `/server` API)."""
