#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd): offers STARTTLS with the certificate given, keeps
each message it accepts as a .eml file in a folder, and refuses with 550 any recipient whose
address starts with "unknown" (a hard bounce), as a receiving server would.

    scripts/smtp-sink.py PORT FOLDER CERT KEY
"""
import asyncio
import pathlib
import ssl
import sys
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("unknown"):
            return "550 5.1.1 <%s>: recipient address rejected: user unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = "%d-%s.eml" % (time.time() * 1000, uuid.uuid4().hex[:8])
        header = "X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-TLS: %s\r\n" % (
            envelope.mail_from, ",".join(envelope.rcpt_tos), "yes" if session.ssl else "no")
        (self.folder / name).write_bytes(header.encode() + envelope.original_content)
        return "250 Message accepted for delivery"


def main():
    port, folder, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=False, auth_require_tls=True)
    controller.start()
    print("smtp sink on 127.0.0.1:%d" % port, flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
