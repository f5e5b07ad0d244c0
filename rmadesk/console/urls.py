"""Agent console URLs (/console/)."""

from __future__ import annotations

from django.urls import path, register_converter

from rmadesk.console import (
    attachment_views,
    call_views,
    canned_views,
    held_views,
    jobs_views,
    mail_views,
    money_views,
    notice_views,
    policy_version_views,
    policy_views,
    queue_views,
    report_views,
    rma_views,
    security_views,
    ticket_views,
)


class NumberConverter:
    """A ticket or RMA number: 1 to 18 digits, so it fits the 64-bit column (else 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(NumberConverter, "console_number")

app_name = "console"
urlpatterns = [
    # where staff land (web.landing), and the queue
    path("", queue_views.home, name="home"),
    path("queue/", queue_views.queue_page, name="queue"),
    path("queue/bulk", queue_views.bulk, name="queue_bulk"),
    path("queue/views/", queue_views.save_view, name="queue_view_save"),
    path(
        "queue/views/<console_number:pk>/rename",
        queue_views.rename_view,
        name="queue_view_rename",
    ),
    path(
        "queue/views/<console_number:pk>/delete",
        queue_views.delete_view,
        name="queue_view_delete",
    ),
    path("calls/new", call_views.new_call, name="call_new"),
    # the manager's page and the reports (issue 16)
    path("dashboard/", report_views.dashboard_page, name="dashboard"),
    path("reports/", report_views.report_index, name="reports"),
    *(
        path(f"reports/{name}/", report_views.report_page, {"name": name}, name=f"report_{name}")
        for name in report_views.BUILDERS
    ),
    # a ticket and its actions
    path("tickets/<console_number:number>/", ticket_views.ticket_detail, name="ticket"),
    path(
        "tickets/<console_number:number>/attachments/<console_number:attachment_id>",
        ticket_views.ticket_attachment,
        name="attachment",
    ),
    path(
        "tickets/<console_number:number>/attachments/<console_number:attachment_id>/preview",
        attachment_views.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "tickets/<console_number:number>/attachments/<console_number:attachment_id>/image",
        attachment_views.attachment_image,
        name="attachment_image",
    ),
    path("tickets/<console_number:number>/severity", ticket_views.change_severity, name="severity"),
    path("tickets/<console_number:number>/wait", ticket_views.wait_on_customer, name="wait"),
    path("tickets/<console_number:number>/resume", ticket_views.resume_ticket, name="resume"),
    path("tickets/<console_number:number>/assign", ticket_views.assign_ticket, name="assign"),
    path(
        "tickets/<console_number:number>/assign-to-me",
        ticket_views.assign_to_me,
        name="assign_to_me",
    ),
    path("tickets/<console_number:number>/close", ticket_views.close_ticket, name="close"),
    path("tickets/<console_number:number>/reply", ticket_views.reply, name="reply"),
    path(
        "tickets/<console_number:number>/canned-reply",
        ticket_views.canned_reply_fill,
        name="canned_reply_fill",
    ),
    path("tickets/<console_number:number>/call", ticket_views.log_call, name="call"),
    path("tickets/<console_number:number>/rma", ticket_views.open_rma, name="open_rma"),
    path(
        "tickets/<console_number:number>/deny-warranty",
        ticket_views.deny_warranty,
        name="deny_warranty",
    ),
    path(
        "tickets/<console_number:number>/repair-quote",
        ticket_views.record_quote,
        name="record_quote",
    ),
    # canned replies
    path("canned-replies/", canned_views.canned_replies, name="canned_replies"),
    path(
        "canned-replies/<console_number:pk>/",
        canned_views.canned_reply_edit,
        name="canned_reply",
    ),
    path(
        "canned-replies/<console_number:pk>/delete",
        canned_views.canned_reply_delete,
        name="canned_reply_delete",
    ),
    # RMAs
    path("rmas/", rma_views.rma_index, name="rmas"),
    path("rmas/<console_number:number>/", rma_views.rma_detail, name="rma"),
    path("rmas/<console_number:number>/confirm", rma_views.confirm_rma, name="rma_confirm"),
    path("rmas/<console_number:number>/label", rma_views.issue_label, name="rma_issue_label"),
    path("rmas/<console_number:number>/label.pdf", rma_views.rma_label, name="rma_label"),
    path("rmas/<console_number:number>/ship", rma_views.ship_replacement, name="rma_ship"),
    path("rmas/<console_number:number>/inspect", rma_views.inspect_return, name="rma_inspect"),
    path("rmas/<console_number:number>/identify", rma_views.identify_part, name="rma_identify"),
    path("rmas/<console_number:number>/ship-back", rma_views.ship_back, name="rma_ship_back"),
    path("rmas/<console_number:number>/tracking", rma_views.record_tracking, name="rma_tracking"),
    path(
        "rmas/<console_number:number>/delivered",
        rma_views.record_delivery,
        name="rma_delivered",
    ),
    path("rmas/<console_number:number>/decide", rma_views.decide_rma, name="rma_decide"),
    path(
        "rmas/<console_number:number>/contents",
        rma_views.record_return_contents,
        name="rma_contents",
    ),
    path(
        "rmas/<console_number:number>/accept-missing-contents",
        rma_views.accept_missing_contents,
        name="rma_accept_missing",
    ),
    path("rmas/<console_number:number>/deny", rma_views.deny_rma, name="rma_deny"),
    # the receiving desk
    path("receiving/", rma_views.receiving, name="receiving"),
    path(
        "receiving/<console_number:number>/accept", rma_views.accept_return, name="receiving_accept"
    ),
    path(
        "receiving/<console_number:number>/reject", rma_views.reject_return, name="receiving_reject"
    ),
    path("advance-exchanges/", rma_views.advance_exchanges, name="advance_exchanges"),
    # money
    path("invoices/", money_views.invoice_index, name="invoices"),
    path("invoices/<str:number>/", money_views.invoice_detail, name="invoice"),
    path("invoices/<str:number>/invoice.pdf", money_views.invoice_download, name="invoice_pdf"),
    path(
        "credit-notes/<str:number>/credit-note.pdf",
        money_views.credit_note_download,
        name="credit_note_pdf",
    ),
    path("invoices/<str:number>/payments", money_views.record_payment, name="invoice_payment"),
    path(
        "invoices/<str:number>/credit-notes",
        money_views.issue_credit_note,
        name="invoice_credit_note",
    ),
    # the policy
    path("policy/", policy_views.policy_page, name="policy"),
    path("policy/calculate", policy_views.calculate, name="calculate"),
    path("policy/versions/", policy_version_views.policy_versions, name="policy_versions"),
    path("policy/versions/diff", policy_version_views.policy_diff, name="policy_diff"),
    # staff notifications: the bell, the list, each user's choices
    path("notifications/", notice_views.notifications, name="notifications"),
    path("notifications/bell", notice_views.bell, name="notification_bell"),
    path("notifications/read", notice_views.mark_all_read, name="notifications_read"),
    path(
        "notifications/<console_number:pk>/read",
        notice_views.mark_read,
        name="notification_read",
    ),
    path(
        "notifications/preferences",
        notice_views.preferences,
        name="notification_preferences",
    ),
    # the mail the desk sent
    path("mail/sent/", mail_views.sent_mail_index, name="sent_mail"),
    path("mail/sent/<console_number:pk>/", mail_views.sent_mail_detail, name="sent_mail_message"),
    path(
        "mail/sent/<console_number:pk>/source", mail_views.sent_mail_source, name="sent_mail_source"
    ),
    # the background work
    path("jobs/", jobs_views.jobs, name="jobs"),
    path("jobs/tasks/<console_number:pk>/retry", jobs_views.retry_task, name="jobs_retry_task"),
    path(
        "jobs/tasks/<console_number:pk>/discard", jobs_views.discard_task, name="jobs_discard_task"
    ),
    path(
        "jobs/notifications/<console_number:pk>/retry",
        jobs_views.retry_notification,
        name="jobs_retry_notification",
    ),
    # held mail
    path("mail/held/", held_views.held_list, name="held_mail"),
    path("mail/held/count", held_views.held_count_badge, name="held_mail_count"),
    path("mail/held/<console_number:pk>/", held_views.held_detail, name="held_mail_message"),
    path("mail/held/<console_number:pk>/link", held_views.held_link, name="held_mail_link"),
    path(
        "mail/held/<console_number:pk>/discard", held_views.held_discard, name="held_mail_discard"
    ),
    # Issue 13: the signed-in staff user's own second factor.
    path("security/", security_views.security, name="security"),
    path("security/confirm", security_views.security_confirm, name="security_confirm"),
]
