"""Seed A's query-string API, served over the same services as the native API."""
