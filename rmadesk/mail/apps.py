from django.apps import AppConfig


class MailConfig(AppConfig):
    """Mail in and out; its notifications subscribe in `rmadesk.mail.subscribers`."""

    name = "rmadesk.mail"
    label = "mail"
