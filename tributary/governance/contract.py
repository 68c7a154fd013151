"""The governance contract of DESIGN.md as data: the meta keys, their allowed values, and a breach
of it as the check reports one."""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED_KEYS = ("owner", "domain", "classification", "contains_pii")
DOMAINS = ("sales", "customer", "marketing", "logistics", "finance", "platform")
CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
PII_TYPES = ("email", "phone", "name", "address", "ip", "birth_date", "payment", "free_text")

# Access by layer (the first folder under models/); the marts folder also holds the ML features.
ACCESS_BY_LAYER = {"staging": "protected", "intermediate": "private", "marts": "public"}

# Layers whose every row carries the dlt load that brought it in (row-level lineage).
LOAD_ID_LAYERS = ("staging", "intermediate")
LOAD_ID_COLUMN = "_load_id"


@dataclass(frozen=True, order=True)
class Breach:
    """One way a node breaks the contract: which node, which rule, and what to do about it."""

    node: str
    rule: str
    fix: str

    def line(self) -> str:
        return f"{self.node}: [{self.rule}] {self.fix}"
