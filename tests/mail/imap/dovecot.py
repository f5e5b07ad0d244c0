"""A private Dovecot IMAP server for the tests: its own config, TLS certificate, user and maildir.

Started with `dovecot -F -c <tmp>/dovecot.conf` on free ports of 127.0.0.1 (IMAPS, and IMAP for
STARTTLS), never touching /etc/dovecot or the system service. TLS is required on both: the
certificate is self-signed for 127.0.0.1, generated here with openssl, and the client trusts it
as its CA file, so the real certificate check runs.

Running as root (as in CI), Dovecot refuses root for its login processes and for mail access:
logins run as `dovenull` (created by Debian's dovecot-core), mail as `nobody`, and the maildir is
made theirs. Running as another user, every Dovecot process is that user.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import grp
import imaplib
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rmadesk.mail.imap import ImapConfig

USER = "support@rmadesk.example"
PASSWORD = "dovecot-test-password"  # a throwaway server's throwaway password
STARTUP_SECONDS = 20
# A LIST answer line: `(\HasNoChildren) "/" name` (the name quoted or not).
_LIST_LINE = re.compile(r'^\([^)]*\) (?:NIL|"[^"]*") (.+)$')


def dovecot_binary() -> str | None:
    found = shutil.which("dovecot")
    if found is None and os.access("/usr/sbin/dovecot", os.X_OK):
        found = "/usr/sbin/dovecot"
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Dovecot:
    directory: Path
    imaps_port: int
    imap_port: int
    process: subprocess.Popen[bytes]

    @property
    def ca_file(self) -> str:
        return str(self.directory / "cert.pem")

    def config(self, *, security: str = "tls", processed_folder: str = "") -> ImapConfig:
        """What `fetch_mailbox` needs to read this server's INBOX."""
        return ImapConfig(
            host="127.0.0.1",
            port=self.imaps_port if security == "tls" else self.imap_port,
            user=USER,
            password=PASSWORD,
            security=security,
            processed_folder=processed_folder,
            ca_file=self.ca_file,
            timeout=10,
        )

    def log(self) -> str:
        path = self.directory / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        """A logged-in client (over verified TLS), for putting mail in and looking at flags."""
        context = ssl.create_default_context(cafile=self.ca_file)
        client = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=context, timeout=10)
        try:
            client.login(USER, PASSWORD)
            yield client
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()

    def append(self, raw: bytes, *, received_at: dt.datetime, folder: str = "INBOX") -> None:
        """Deliver a message the way a mail server would: IMAP APPEND with its arrival time."""
        with self.client() as client:
            kind, data = client.append(folder, "", received_at, raw)
            assert kind == "OK", data

    def messages(self, folder: str = "INBOX") -> list[tuple[int, set[str]]]:
        """(uid, flags) of every message in the folder, oldest first."""
        with self.client() as client:
            kind, data = client.select(f'"{folder}"', readonly=True)
            assert kind == "OK", data
            if int(data[0]) == 0:
                return []
            kind, data = client.uid("FETCH", "1:*", "(FLAGS)")
            assert kind == "OK", data
        found = []
        for line in data:
            if not line:
                continue
            text = line.decode() if isinstance(line, bytes) else line[0].decode()
            uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
            flags = set(text.split("FLAGS (", 1)[1].split(")", 1)[0].split())
            found.append((uid, flags))
        return sorted(found)

    def empty(self) -> None:
        """Remove every message and every folder but INBOX (between tests)."""
        with self.client() as client:
            kind, folders = client.list()
            assert kind == "OK", folders
            names = [_LIST_LINE.match(line.decode()) for line in folders if line]
            found = [m.group(1).strip('"') for m in names if m is not None]
            for name in sorted(found, key=len, reverse=True):  # children before parents
                if name.upper() != "INBOX":
                    # NO for a parent that went away with its last child (\NonExistent): fine.
                    client.delete(f'"{name}"')
            kind, folders = client.list()
            assert [line for line in folders if line and b"INBOX" not in line] == [], folders
            kind, count = client.select("INBOX")
            assert kind == "OK", count
            if int(count[0]) > 0:
                client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                client.expunge()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_dovecot() -> Dovecot:
    binary = dovecot_binary()
    if binary is None:
        raise FileNotFoundError("dovecot is not installed (apt-get install dovecot-imapd)")
    # Not pytest's tmp_path: its parents are private to the test user, and Dovecot's mail
    # processes (nobody, when running as root) must reach the maildir.
    directory = Path(tempfile.mkdtemp(prefix="rmadesk-dovecot-"))
    try:
        directory.chmod(0o755)
        _certificate(directory)
        (directory / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (directory / "passwd").chmod(0o600)
        home = directory / "home"
        home.mkdir()
        users = _users()
        os.chown(home, users["mail_uid"], users["mail_gid"])
        home.chmod(0o700)
        imaps_port, imap_port = free_port(), free_port()
        while imap_port == imaps_port:
            imap_port = free_port()
        conf = directory / "dovecot.conf"
        conf.write_text(_config(directory, imaps_port, imap_port, users))
        log = open(directory / "dovecot.stderr", "wb")  # noqa: SIM115 -- closed below, the child keeps its copy
        process = subprocess.Popen(
            [binary, "-F", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        server = Dovecot(directory, imaps_port, imap_port, process)
        try:
            _wait_until_listening(server)
        except BaseException:
            server.stop()
            raise
        return server
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise


def remove(server: Dovecot) -> None:
    server.stop()
    shutil.rmtree(server.directory, ignore_errors=True)


def _users() -> dict[str, object]:
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return {
            "internal_user": "root",
            "internal_group": "root",
            "login_user": "dovenull",  # Debian's dovecot-core creates it
            "mail_uid": nobody.pw_uid,
            "mail_gid": nobody.pw_gid,
            "first_valid_uid": min(nobody.pw_uid, 500),
        }
    me = pwd.getpwuid(os.getuid())
    group = grp.getgrgid(os.getgid()).gr_name
    return {
        "internal_user": me.pw_name,
        "internal_group": group,
        "login_user": me.pw_name,
        "mail_uid": me.pw_uid,
        "mail_gid": me.pw_gid,
        "first_valid_uid": min(me.pw_uid, 500),
    }


def _config(directory: Path, imaps_port: int, imap_port: int, users: dict[str, object]) -> str:
    not_root = os.geteuid() != 0
    # A non-root master cannot chroot its login processes.
    no_chroot = "  chroot =\n" if not_root else ""
    return f"""\
# Written by tests/mail/imap/dovecot.py for one test session; not the system's Dovecot.
base_dir = {directory}/run
state_dir = {directory}/state
log_path = {directory}/dovecot.log
instance_name = rmadesk-test-{imaps_port}
protocols = imap
listen = 127.0.0.1
default_internal_user = {users["internal_user"]}
default_internal_group = {users["internal_group"]}
default_login_user = {users["login_user"]}
first_valid_uid = {users["first_valid_uid"]}
ssl = required
ssl_cert = <{directory}/cert.pem
ssl_key = <{directory}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/passwd
}}
userdb {{
  driver = static
  args = uid={users["mail_uid"]} gid={users["mail_gid"]} home={directory}/home
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
{no_chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
{no_chroot}}}
"""


def _certificate(directory: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    (directory / "key.pem").chmod(0o600)


def _wait_until_listening(server: Dovecot) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with server.client():
                return
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.1)
    stderr = (server.directory / "dovecot.stderr").read_text(errors="replace")
    raise RuntimeError(
        f"Dovecot did not start (exit {server.process.poll()}):\n{stderr}\n{server.log()}"
    )
