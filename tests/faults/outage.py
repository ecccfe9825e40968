"""
A bounded stream of readers posting and reading while something breaks.

``Traffic`` runs posting threads (each post a new reader: new email, new
address) and reading threads (the uncached reader endpoint, which needs the
database, the article page, which the page cache may answer, and any other
pages a test names) until
stopped, recording every answer. The test breaks a service in the middle and
then lines the answers up against the outage.
"""

import itertools
import secrets
import threading
import time
from collections.abc import Callable

from tests.faults.clients import Answer

MAX_SECONDS = 60  # a runaway run stops here whatever the test does


class Traffic:
    def __init__(self, stack, *, posters: int = 6, readers: int = 2, pages: tuple = ()):
        self.stack = stack
        self.pages = [
            ("reader", f"/comments/{stack.article_id}/reader/"),
            ("article", stack.article_url),
            *pages,
        ]
        self.run = secrets.token_hex(3)
        self.posters = posters
        self.readers = readers
        self.answers: list[Answer] = []
        self._stop = threading.Event()
        self._numbers = itertools.count()
        self._threads: list[threading.Thread] = []
        self.domain = f"{self.run}.outage.faults.invalid"

    def _post_loop(self) -> None:
        reader = self.stack.reader()
        while not self._stop.is_set():
            number = next(self._numbers)
            self.answers.append(
                reader.post_comment(
                    email=f"r{number}@{self.domain}",
                    name=f"Reader {number}",
                    body=f"Comment {number} on the treaty, posted under fault.",
                    ip=f"10.{200 + number // 62500 % 50}.{number // 250 % 250}."
                    f"{number % 250 + 1}",
                )
            )

    def _read_loop(self) -> None:
        reader = self.stack.reader()
        pages = itertools.cycle(self.pages)
        while not self._stop.is_set():
            kind, path = next(pages)
            self.answers.append(reader.get(kind, path))

    def start(self) -> None:
        loops: list[Callable] = [self._post_loop] * self.posters
        loops += [self._read_loop] * self.readers
        self._threads = [threading.Thread(target=loop, daemon=True) for loop in loops]
        for thread in self._threads:
            thread.start()
        self._timer = threading.Timer(MAX_SECONDS, self._stop.set)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        self._stop.set()
        self._timer.cancel()
        for thread in self._threads:
            thread.join(timeout=30)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # Reading the record ---------------------------------------------------------

    def first_success_after(self, moment: float, kind: str) -> float | None:
        """Seconds from ``moment`` to the first good answer of ``kind`` after it."""
        ends = [a.ended for a in self.answers if a.kind == kind and a.ok]
        later = [end for end in ends if end >= moment]
        return round(min(later) - moment, 3) if later else None

    def failures(self) -> list[Answer]:
        return [answer for answer in self.answers if not answer.ok]

    def accepted(self) -> dict[int, str]:
        return {a.comment_id: a.email for a in self.answers if a.accepted}


def wait_for(check: Callable[[], bool], *, timeout: float, step: float = 0.05):
    """Poll ``check`` until true; returns the moment it was, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(step)
    return None
