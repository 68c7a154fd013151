"""DataOps for the developer workflow and CI: slim CI against a stored production manifest,
the static docs site and its local server, and the sqlfluff lint of macros (`tributary dev`)."""
