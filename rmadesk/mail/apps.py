from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "rmadesk.mail"
    label = "mail"
