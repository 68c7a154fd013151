"""Monitoring and data quality: Elementary, landing-file counts, `make monitor`, `make quality`."""
