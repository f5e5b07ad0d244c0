"""The demo's working day: tickets placed around the demo's now, and RMAs in every state.

Each open ticket is opened (or last answered) at the instant that makes the policy put its due
time where the story wants it, relative to now: one due in 20 minutes, one in 3 hours, one
tomorrow, a few breached by hours, some waiting on the customer, some closed in the last days.
The instant is searched for (`rmadesk.demo.timeline`); the due time itself is the policy's, as
for any ticket. On a weekend or a holiday a business-hours ticket that cannot be due in
3 hours is due at the next opening instead, and stays on track (the Gold S1 tickets, 24x7, keep
"due in 20 minutes" whatever the day).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from rmadesk.assets.models import Asset
from rmadesk.core import clock
from rmadesk.core.models import Account
from rmadesk.core.policies import active_policy
from rmadesk.demo.timeline import start_for_due
from rmadesk.policy.service_levels import response_due
from rmadesk.rmas.models import Rma
from rmadesk.rmas.selectors import shipment_of
from rmadesk.rmas.services import (
    confirm_rma,
    decide_rma,
    deny_rma,
    inspect_return,
    issue_label,
    open_rma,
    receive_return,
    record_delivery,
    reject_return,
    ship_back,
    ship_replacement,
)
from rmadesk.satisfaction.services import rate_from_portal
from rmadesk.tickets.attachments import attach_files
from rmadesk.tickets.services import (
    assign_ticket,
    change_severity,
    close_ticket,
    open_ticket,
    reply,
    wait_on_customer,
)

MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
# How far back a ticket may be opened to meet its story (a Bronze S4 due tomorrow on a Monday
# after a holiday weekend starts days earlier).
LOOKBACK = dt.timedelta(days=30)


@dataclass(frozen=True)
class Staff:
    agents: tuple[Any, ...]  # the first is agent@vendor.example
    manager: Any
    clerk: Any


@contextmanager
def _at(instant: dt.datetime) -> Iterator[None]:
    with clock.frozen_at(instant):
        yield


class Day:
    """Builds the day's tickets, all relative to `now` (the demo's clock when it was loaded)."""

    def __init__(self, now: dt.datetime, staff: Staff) -> None:
        self.now = now
        self.staff = staff
        self.agent = staff.agents[0]
        self.policy = active_policy()

    # ------------------------------------------------------------------- placing a clock

    def _start_for(self, serial: str, severity: str, due_in: dt.timedelta) -> dt.datetime:
        """When to start a response clock on this serial so it falls due `due_in` from now."""
        customer = Asset.objects.select_related("customer").get(serial=serial).customer
        plan = customer.contracts.order_by("-starts_on").values_list("plan", flat=True)[0]

        def due_of(start: dt.datetime) -> dt.datetime | None:
            answer = response_due(
                self.policy, plan=plan, severity=severity, start=start,
                country=customer.country, zone=customer.zone,
            )  # fmt: skip
            return answer.due

        if due_of(self.now) is None:
            return self.now - 2 * HOUR  # no service level (L3): any time will do
        return start_for_due(
            due_of, self.now + due_in, now=self.now, earliest=self.now - LOOKBACK
        ).replace(microsecond=0)

    def _open(
        self, serial: str, severity: str, subject: str, at: dt.datetime, *, channel: str,
        assignee: Any = None,
    ) -> Any:  # fmt: skip
        ticket = open_ticket(
            actor=self.agent, serial=serial, severity=severity, subject=subject,
            body=BODIES.get(subject, f"{subject}. Details in the customer's report."),
            channel=channel, opened_at=at,
        )  # fmt: skip
        if assignee is not None:
            with _at(min(at + 2 * MINUTE, self.now)):
                assign_ticket(actor=self.staff.manager, ticket=ticket, assignee=assignee)
        return ticket

    # ----------------------------------------------------------------------- the stories

    def due(
        self, serial: str, severity: str, subject: str, due_in: dt.timedelta, *,
        channel: str = "portal", assignee: Any = None,
    ) -> Any:  # fmt: skip
        """Not answered yet: the first response falls due `due_in` from now (negative: breached)."""
        at = self._start_for(serial, severity, due_in)
        return self._open(serial, severity, subject, at, channel=channel, assignee=assignee)

    def answered(
        self, serial: str, severity: str, subject: str, next_update_in: dt.timedelta, *,
        answer: str, channel: str = "portal", assignee: Any = None,
    ) -> Any:  # fmt: skip
        """Answered once: the next update (L5) falls due `next_update_in` from now."""
        replied = self._start_for(serial, severity, next_update_in)
        ticket = self._open(
            serial, severity, subject, replied - 40 * MINUTE, channel=channel, assignee=assignee
        )
        reply(actor=assignee or self.agent, ticket=ticket, body=answer, public=True, at=replied)
        return ticket

    def raised(
        self, serial: str, subject: str, due_in: dt.timedelta, *, assignee: Any = None
    ) -> Any:
        """Opened as S3, raised to S2 (L7): the re-targeted clock falls due `due_in` from now."""
        raised = self._start_for(serial, "S2", due_in)
        ticket = self._open(
            serial, "S3", subject, raised - 2 * HOUR, channel="email", assignee=assignee
        )
        change_severity(actor=self.agent, ticket=ticket, severity="S2", at=raised)
        return ticket

    def waiting(
        self, serial: str, severity: str, subject: str, since: dt.timedelta, *, question: str,
        assignee: Any = None,
    ) -> Any:  # fmt: skip
        """Asked the customer something `since` ago and waits for the answer (clock paused)."""
        asked = (self.now - since).replace(microsecond=0)
        ticket = self._open(
            serial, severity, subject, asked - 90 * MINUTE, channel="portal", assignee=assignee
        )
        reply(actor=assignee or self.agent, ticket=ticket, body=question, public=True, at=asked)
        wait_on_customer(actor=assignee or self.agent, ticket=ticket, at=asked)
        return ticket

    def closed(
        self, serial: str, severity: str, subject: str, ago: dt.timedelta, *, reason: str,
        out_of_scope: str | None = None, assignee: Any = None,
        rating: tuple[int, str] | None = None,
    ) -> Any:  # fmt: skip
        """Answered and closed `ago` (resolved, or out of scope naming P1's reason); rated by
        its customer on the portal when `rating` is given (issue 16)."""
        done = (self.now - ago).replace(microsecond=0)
        opened = done - DAY
        ticket = self._open(serial, severity, subject, opened, channel="email", assignee=assignee)
        reply(actor=assignee or self.agent, ticket=ticket, body=reason, public=True,
              at=done - DAY + HOUR)  # fmt: skip
        close_ticket(actor=assignee or self.agent, ticket=ticket, reason=reason,
                     out_of_scope=out_of_scope, at=done)  # fmt: skip
        if rating is not None:
            contact = Account.objects.filter(customer_id=ticket.customer_id).first()
            if contact is not None:
                rate_from_portal(actor=contact.user, ticket=ticket, rating=rating[0],
                                 comment=rating[1])  # fmt: skip
        return ticket

    # ---------------------------------------------------------------------- the tickets

    def tickets(self) -> None:
        """The queue: every plan and severity, due in minutes, hours, tomorrow, or breached."""
        agent, lena, sam = self.staff.agents
        manager = self.staff.manager
        offline = self.due("M50-A10001", "S1", "Pool offline after controller reboot",
                           20 * MINUTE, channel="phone", assignee=agent)  # fmt: skip
        self._attach(offline, "zpool-status.txt", ZPOOL_STATUS)
        self.due("M60-A10004", "S1", "Both controllers report a failover loop", 50 * MINUTE,
                 channel="phone", assignee=manager)  # fmt: skip
        self.due("M50-A10002", "S2", "Replication lagging by hours", 3 * HOUR, assignee=lena)
        self.due("X20-D20001", "S1", "Degraded pool, two disks faulted", 2 * HOUR,
                 channel="email", assignee=sam)  # fmt: skip
        self.due("TC-L40001", "S2", "Alerts not arriving by email", 5 * HOUR, channel="email")
        self.due("M50-A10002", "S3", "Web UI slow on the dashboard", DAY, channel="email",
                 assignee=agent)  # fmt: skip
        self.due("X20-J30001", "S3", "Fan warning on enclosure 2", DAY + 4 * HOUR,
                 channel="phone")  # fmt: skip
        self.due("M60-A10004", "S4", "How do I add a second admin?", 2 * DAY)
        self.due("MINI-D20002", "S4", "Where is the manual for the Mini?", 3 * DAY)
        self.due("TC-P50001", "S4", "Licence for the test setup", DAY, channel="email")
        # A few breached: by an hour, by an afternoon, since yesterday.
        self.due("R20-J30002", "S1", "Array unreachable after power cut", -1 * HOUR,
                 channel="phone", assignee=sam)  # fmt: skip
        self.raised("M50-A10001", "Intermittent iSCSI disconnects", -3 * HOUR, assignee=lena)
        self.due("MINI-D20002", "S2", "Snapshots fail every night", -DAY)
        # Answered: the next update (L5) is what is due now.
        self.answered("X20-D20001", "S2", "NFS exports vanish after upgrade", 40 * MINUTE,
                      answer="We reproduced it and are testing a fix.", assignee=sam)  # fmt: skip
        self.answered("M60-A10004", "S2", "Dedup table growing fast", 6 * HOUR,
                      answer="That is expected after the pool import; we are checking the "
                      "numbers.", assignee=agent)  # fmt: skip
        # Waiting on the customer: the clock is paused.
        self.waiting("X20-D20001", "S3", "SMB share permissions question", DAY,
                     question="Could you send us a debug file?", assignee=lena)  # fmt: skip
        self.waiting("M50-A10001", "S2", "Boot loop after BIOS update", 3 * HOUR,
                     question="Please send the serial console log of one boot.",
                     assignee=agent)  # fmt: skip
        self.waiting("TC-L40001", "S3", "Dashboard shows old alerts", 2 * DAY,
                     question="Which TrueCommand version are you on?")  # fmt: skip
        # Closed in the last days.
        self.closed("X20-J30001", "S4", "Firmware release notes", DAY,
                    reason="Sent the release notes.", assignee=sam,
                    rating=(5, "Quick and clear, thank you."))  # fmt: skip
        self.closed("M50-A10001", "S3", "Help with our switch VLANs", 2 * DAY,
                    reason="Switch configuration is not ours to support.",
                    out_of_scope="network issues", assignee=agent,
                    rating=(2, "We hoped for some pointers at least."))  # fmt: skip
        self.closed("X20-D20001", "S2", "Cache SSD reports wear", 5 * HOUR,
                    reason="Replaced under warranty; wear back to 2%.", assignee=lena,
                    rating=(4, ""))  # fmt: skip

    def _attach(self, ticket: Any, name: str, content: bytes) -> None:
        """A file the customer sent with the ticket's first message."""
        with _at(ticket.opened_at):
            attach_files(
                actor=self.agent, ticket=ticket, message=ticket.messages.order_by("at", "pk")[0],
                files=[SimpleUploadedFile(name, content, "text/plain")], via="email",
            )  # fmt: skip

    # -------------------------------------------------------------------------- the RMAs

    def _rma(self, serial: str, kind: str, days: float, subject: str, part: Part) -> Any:
        """A diagnosed ticket `days` ago with its RMA; the ticket then waits on the customer."""
        opened = (self.now - days * DAY).replace(microsecond=0)
        agents = self.staff.agents
        agent = agents[Rma.objects.count() % len(agents)]  # RMAs go round the agents
        ticket = self._open(serial, "S2", subject, opened, channel="portal", assignee=agent)
        reply(actor=agent, ticket=ticket, public=True, at=opened + 30 * MINUTE,
              body=f"Diagnosed: {part.name} failed. We are issuing an RMA for it.")  # fmt: skip
        rma = open_rma(actor=agent, ticket=ticket, kind=kind, items=[part.item()],
                       issued_at=opened + HOUR)  # fmt: skip
        wait_on_customer(actor=agent, ticket=ticket, at=opened + HOUR)
        return rma

    def _confirmed(self, rma: Any, at: dt.datetime) -> Any:
        with _at(at):
            confirm_rma(actor=self.agent, rma=rma, data_backed_up=True, original_packaging=True,
                        insured=True, removable_media_removed=True)  # fmt: skip
            return issue_label(actor=self.agent, rma=rma)

    def _received(self, rma: Any, at: dt.datetime) -> None:
        with _at(at):
            receive_return(actor=self.staff.clerk, label_rma_number=str(rma.number),
                           received_at=at)  # fmt: skip

    def _close(self, rma: Any, reason: str, at: dt.datetime) -> None:
        close_ticket(actor=self.agent, ticket=rma.ticket, reason=reason, at=at)

    def rmas(self) -> None:
        """RMAs in every state; advance exchanges awaiting return, one label expiring, one
        part invoiced on day 14 (R4) by the scans the demo runs once it is loaded."""
        now = self.now
        self._rma("M50-A10001", "repair", 0.5, "Controller board fault", PARTS["controller"])
        issued = self._rma("M60-A10004", "replacement", 2, "Chassis fan noisy", PARTS["fan"])
        with _at(now - 1.5 * DAY):
            confirm_rma(actor=self.agent, rma=issued, data_backed_up=True,
                        original_packaging=True, insured=True,
                        removable_media_removed=True)  # fmt: skip
        label = self._rma("X20-D20001", "repair", 3, "Backplane errors", PARTS["backplane"])
        self._confirmed(label, now - 2.5 * DAY)
        for days, serial, part, subject in (
            (2, "M50-A10002", "hdd", "Disk 7 failed"),  # awaiting return
            (8.7, "M60-A10004", "ssd", "SLOG device failed"),  # label expires in a day (R4)
            (20, "M50-A10001", "hdd2", "Disk 3 failed"),  # not returned: invoiced on day 14
        ):
            exchange = self._rma(serial, "advance_exchange", days, subject, PARTS[part])
            self._confirmed(exchange, now - days * DAY + 2 * HOUR)
            ship_replacement(actor=self.agent, rma=exchange,
                             shipped_at=now - days * DAY + 3 * HOUR,
                             part_identified_at=now - days * DAY + 2 * HOUR)  # fmt: skip
        back = self._rma("X20-D20001", "advance_exchange", 12, "SSD cache failed", PARTS["ssd2"])
        self._confirmed(back, now - 12 * DAY + 2 * HOUR)
        ship_replacement(actor=self.agent, rma=back, shipped_at=now - 12 * DAY + 3 * HOUR,
                         part_identified_at=now - 12 * DAY + 2 * HOUR)  # fmt: skip
        self._received(back, now - 4 * DAY)
        inspected = self._rma("X20-J30001", "repair", 10, "PSU failure", PARTS["psu"])
        self._confirmed(inspected, now - 10 * DAY + 2 * HOUR)
        self._received(inspected, now - 6 * DAY)
        with _at(now - 6 * DAY + HOUR):
            inspect_return(actor=self.agent, rma=inspected,
                           notes="PSU rail B dead; unit otherwise fine.")  # fmt: skip
        decided = self._rma("M50-A10001", "repair", 9, "Motherboard NIC dead", PARTS["nic"])
        self._confirmed(decided, now - 9 * DAY + 2 * HOUR)
        self._received(decided, now - 7 * DAY)
        with _at(now - 7 * DAY + HOUR):
            inspect_return(actor=self.agent, rma=decided, notes="NIC chip failed.")
            decide_rma(actor=self.agent, rma=decided, decision="replace", refurbished=True)
        # The replacement board ships back against its N1 promise, and arrives a day late.
        shipped = ship_back(actor=self.agent, rma=decided, shipped_at=now - 6 * DAY - HOUR,
                            part_identified_at=now - 7 * DAY + HOUR)  # fmt: skip
        promised = shipment_of(shipped)
        if promised is not None and promised.promised_delivery_on is not None:
            late = dt.datetime.combine(
                promised.promised_delivery_on + dt.timedelta(days=1), dt.time(11),
                tzinfo=active_policy().vendor_zone,
            )  # fmt: skip
            if late < now:
                record_delivery(actor=self.agent, rma=decided, delivered_at=late)
        self._close(decided, "Replacement board fitted and shipped back.", now - 6 * DAY)
        flagged = self._rma("X20-D20001", "repair", 45, "Old RAID card", PARTS["raid"])
        self._confirmed(flagged, now - 45 * DAY + 2 * HOUR)
        self._received(flagged, now - 2 * DAY)  # expired number: flagged (R3)
        rejected = self._rma("X20-J30001", "repair", 50, "Old HBA", PARTS["hba"])
        self._confirmed(rejected, now - 50 * DAY + 2 * HOUR)
        self._received(rejected, now - 3 * DAY)
        with _at(now - 3 * DAY + HOUR):
            reject_return(actor=self.staff.clerk, rma=rejected,
                          reason="RMA expired 3 weeks before arrival.")  # fmt: skip
        self._close(rejected, "Return refused: the RMA had expired.", now - 3 * DAY + 2 * HOUR)
        denied = self._rma("X20-J30001", "repair", 11, "Drive cage bent", PARTS["backplane"])
        self._confirmed(denied, now - 11 * DAY + 2 * HOUR)
        self._received(denied, now - 8 * DAY)
        with _at(now - 8 * DAY + HOUR):
            inspect_return(actor=self.agent, rma=denied, notes="Cage bent by force; drop marks.")
            deny_rma(actor=self.agent, rma=denied, cause="customer_negligence",
                     explanation="The drive cage was forced; the chassis was dropped.")  # fmt: skip
        expired = self._rma("M50-A10001", "repair", 40, "Rail kit missing screws", PARTS["rails"])
        self._close(expired, "No return arrived; the RMA expired.", now - 5 * DAY)


@dataclass(frozen=True)
class Part:
    name: str
    serial: str
    unit_price: str

    def item(self) -> dict[str, str]:
        return {"part": self.name, "serial": self.serial, "unit_price": self.unit_price}


PARTS = {
    "controller": Part("Controller board", "CB-7731-0042", "2100.00"),
    "fan": Part("Chassis fan assembly", "FAN-4412", "180.00"),
    "backplane": Part("SAS backplane, 24 bays", "BP24-0193", "950.00"),
    "hdd": Part("HDD 16TB SAS", "ZL0A11K7", "450.00"),
    "hdd2": Part("HDD 16TB SAS", "ZL0B93Q2", "450.00"),
    "ssd": Part("SSD 960GB NVMe (SLOG)", "S5XNNA0R40", "620.00"),
    "ssd2": Part("SSD 480GB SATA (L2ARC)", "S4BENG0M12", "210.00"),
    "psu": Part("PSU 1200W", "PSU-12-88410", "320.00"),
    "nic": Part("Motherboard (10GbE NIC)", "MB-X11-5530", "1400.00"),
    "raid": Part("RAID card", "RC-9361-221", "540.00"),
    "hba": Part("HBA 9400-16i", "HBA-94-7702", "380.00"),
    "rails": Part("Rail kit", "RK-2U-0071", "90.00"),
}

BODIES = {
    "Pool offline after controller reboot": (
        "After a planned reboot of controller A the pool 'tank' does not import. Users cannot "
        "reach any share."
    ),
    "Degraded pool, two disks faulted": (
        "zpool status shows two disks FAULTED in the same vdev since last night. Attached "
        "the output."
    ),
    "Replication lagging by hours": (
        "Replication to our DR site is 6 hours behind and growing. Nothing changed on our side."
    ),
}

ZPOOL_STATUS = b"""\
  pool: tank
 state: UNAVAIL
status: One or more devices could not be opened.  There are insufficient
        replicas for the pool to continue functioning.
config:

        NAME        STATE     READ WRITE CKSUM
        tank        UNAVAIL      0     0     0
          raidz2-0  UNAVAIL      0     0     0
            da0     ONLINE       0     0     0
            da1     UNAVAIL      0     0     0  cannot open
            da2     UNAVAIL      0     0     0  cannot open
            da3     UNAVAIL      0     0     0  cannot open
"""
