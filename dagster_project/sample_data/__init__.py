"""Deterministic sample data: a fictional multi-location business with planted, documented effects."""

from dagster_project.sample_data.generate import GenerationResult, generate

__all__ = ["GenerationResult", "generate"]
