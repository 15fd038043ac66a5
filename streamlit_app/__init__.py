"""The Empathy Lake dashboard. It reads only the published serving copy and never imports the pipeline
(`dagster_project`), so it can be deployed on its own next to a copy of the serving file."""
