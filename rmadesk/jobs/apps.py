from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work; its subscriptions are in `rmadesk.jobs.subscribers`."""

    name = "rmadesk.jobs"
    label = "jobs"
