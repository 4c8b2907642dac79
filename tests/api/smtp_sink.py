"""An SMTP server for the notification tests (aiosmtpd): each message it accepts is written to
DIR as <n>.eml, with the envelope recipients in <n>.rcpt. While DIR/refuse exists, every
message is refused with `451 try again later` (a temporary failure); while DIR/delay exists,
each message is held that many seconds after its data arrived (a slow server, to kill a
sender mid-delivery)."""

import asyncio
import itertools
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.directory, "refuse")):
            return "451 4.3.0 try again later"
        delay = os.path.join(self.directory, "delay")
        if os.path.exists(delay):
            with open(delay) as f:
                await asyncio.sleep(float(f.read() or "0"))
        n = next(self.counter)
        path = os.path.join(self.directory, f"{os.getpid()}-{n:06}")
        with open(path + ".rcpt.tmp", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        with open(path + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".rcpt.tmp", path + ".rcpt")
        # The .eml appears last and whole: a reader that sees it sees the message.
        os.rename(path + ".eml.tmp", path + ".eml")
        return "250 OK"


def main():
    directory = sys.argv[1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port,
                            decode_data=False, data_size_limit=10 * 1024 * 1024)
    controller.start()
    print(port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
