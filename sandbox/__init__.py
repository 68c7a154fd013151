"""The sandbox retailer: a stand-in for a company's source systems (shop database, CRM exports,
clickstream, telemetry, FX and reviews APIs), generated from a seed and a scale, with a next
business day and the ground truth of the defects it injects. Ingestion never imports it."""
