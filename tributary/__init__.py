"""Tributary: a governed data platform in one repository.

`tributary --help` lists the command line's areas. The package's layers, each importing only
the ones below it:

    tributary.cli                       the command line (`tributary ...`, the Makefile's calls)
    ingestion, sandbox, tributary.quality, tributary.governance, tributary.dataops
                                        the areas (ingestion/ and sandbox/ at the top level)
    tributary.dbt                       the one runner of dbt, edr, dbt-bouncer and sqlfluff
    tributary.config, tributary.errors  every path, default and variable; the error style
"""
