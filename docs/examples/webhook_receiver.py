"""A webhook receiver for mailslot: verifies each request with the Standard Webhooks library
(`pip install standardwebhooks`), drops what it has seen already, and answers at once.

    WEBHOOK_SECRET=whsec_... python docs/examples/webhook_receiver.py 8001

Then create an endpoint for http://<this host>:8001/mailslot (docs/webhooks.md). It prints
one line per new event: its id, type and data. Real code would queue the event for its
own workers rather than print it, and keep the ids it has seen in its database.
tests/webhooks/worker/test_receiver_example.py runs this file against a real worker.
"""

from __future__ import annotations

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# Verifies the signature (any of them: during a rotation mailslot sends two) and that
# webhook-timestamp is within five minutes of now (replayed requests fail).
webhook = Webhook(os.environ["WEBHOOK_SECRET"])
seen: set[str] = set()  # webhook-id: the same on every retry and redelivery of an event


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = webhook.verify(body, dict(self.headers))
        except WebhookVerificationError:
            self.answer(400)  # not from mailslot, or too old: mailslot would retry it
            return
        event_id = self.headers["webhook-id"]
        if event_id not in seen:  # delivery is at least once
            seen.add(event_id)
            print(json.dumps({"id": event_id, "type": event["type"], "data": event["data"]}))
            sys.stdout.flush()
        self.answer(204)  # any 2xx within 15 s; anything else is retried

    def answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per event is enough


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8001
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
