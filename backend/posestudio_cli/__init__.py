"""The `posestudio` command: the one place that composes the services."""
