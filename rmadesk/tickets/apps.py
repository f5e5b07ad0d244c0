from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "rmadesk.tickets"
    label = "tickets"
