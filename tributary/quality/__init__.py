"""Data quality and monitoring: Elementary, landing-file counts, the quality report, the build
summary (`tributary quality`, `tributary summary`)."""
