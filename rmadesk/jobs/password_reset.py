"""The password-reset mail, sent by the worker: the web page answers before anyone is looked up.

The reset page queues this task for every address it is given, known or not, and answers at
once, so its answer and its time say nothing about whether an account uses the address. The
task finds the account (if any), makes the one-time link and sends the mail with Django's
password-reset form. The link is never stored: it is made here, when the mail is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django_tasks import task

from rmadesk.customers.selectors import contact_of
from rmadesk.jobs.queue import TASK_QUEUE, retried


@task(queue_name=TASK_QUEUE)
@retried
def send_password_reset(email: str, domain: str, use_https: bool) -> int:
    """Mail a reset link to the active account using `email`; returns how many were sent (0/1)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(form.cleaned_data["email"]))
    if users:
        # Issue 14: in the language the contact chose, else the site's (no browser here).
        contact = contact_of(users[0])
        language = (contact.language if contact is not None else "") or settings.LANGUAGE_CODE
        with translation.override(language):
            form.save(domain_override=domain, use_https=use_https)
    return len(users)
