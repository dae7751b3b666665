"""Measurements that are reported, not asserted: `make bench` runs them."""
