"""Assets of the lake: raw loaders, dbt models, the published serving copy."""
