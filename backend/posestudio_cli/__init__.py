"""The `posestudio` command: the only place that composes services."""
