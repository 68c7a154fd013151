"""The sandbox retailer: a deterministic generator of realistic raw data, and its HTTP API."""
