from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "rmadesk.jobs"
    label = "jobs"
