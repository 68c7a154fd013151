"""Entity resolution: which customer records (shop accounts, CRM contacts) are one person.

`linkage` scores record pairs with Splink (Fellegi-Sunter, on an in-memory DuckDB of its
own); dbt runs it as the Python model `int_customer_pairs__scored` and clusters its links into
`customer_key`s in SQL (`int_customers__resolved`).
"""
