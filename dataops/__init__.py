"""DataOps commands for the developer workflow and CI: slim CI against a stored production
manifest, the static docs site and its local server, and the sqlfluff lint of macros.

`python -m dataops --help` lists them; the Makefile's `prod-manifest`, `ci-changed`, `docs`,
`serve-docs` and `lint` targets call them.
"""
