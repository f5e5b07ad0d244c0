"""Customer portal URLs (/portal/)."""

from django.urls import path

from rmadesk.portal import satisfaction_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/new", views.ticket_new, name="ticket_new"),
    path("tickets/promise", views.ticket_promise, name="ticket_promise"),
    path("tickets/<int:number>/", views.ticket, name="ticket"),
    path("tickets/<int:number>/reply", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/solved", views.ticket_solved, name="ticket_solved"),
    path("tickets/<int:number>/reopen", views.ticket_reopen, name="ticket_reopen"),
    path(
        "tickets/<int:number>/quotes/<int:quote_id>/accept",
        views.quote_accept,
        name="quote_accept",
    ),
    path(
        "tickets/<int:number>/quotes/<int:quote_id>/decline",
        views.quote_decline,
        name="quote_decline",
    ),
    path(
        "tickets/<int:number>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("tickets/<int:number>/rating", views.ticket_rating, name="ticket_rating"),
    # Issue 16: the mail's one-click rating link; no sign-in (its token is the authority).
    path("rate/<str:token>/", satisfaction_views.rate, name="rate"),
    path("rmas/", views.rmas, name="rmas"),
    path("rmas/<int:number>/", views.rma, name="rma"),
    path("rmas/<int:number>/confirm", views.rma_confirm, name="rma_confirm"),
    path("rmas/<int:number>/label.pdf", views.rma_label, name="rma_label"),
    path("money-back", views.money_back, name="money_back"),
    path("appointments/new", views.appointment_new, name="appointment_new"),
    path("policy", views.policy, name="policy"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<str:number>/", views.invoice, name="invoice"),
    path("invoices/<str:number>/invoice.pdf", views.invoice_download, name="invoice_pdf"),
    path(
        "credit-notes/<str:number>/credit-note.pdf",
        views.credit_note_download,
        name="credit_note_pdf",
    ),
    path("language", views.language, name="language"),
]
