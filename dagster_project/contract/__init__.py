"""The landing data contract, read from landing_contract.yml (the only hand-kept copy)."""

from dagster_project.contract.model import Column, Contract, Entity, Reference, Rule, ValueType, load_contract

__all__ = ["Column", "Contract", "Entity", "Reference", "Rule", "ValueType", "load_contract"]
