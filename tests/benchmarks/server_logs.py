"""What the app logged while a benchmark ran: the 500s in gunicorn's logs (proxy_stack.Stack.log_path), each with
the exception that made it, so a run's report says why a request failed and not only that it did."""

import collections
import re
from pathlib import Path

# A log record begins with its time; a 500's record ends with the traceback of the exception that made it.
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", re.M)
EXCEPTION = re.compile(r"^(?:\w+\.)*\w+(?:Error|Exception|Interrupted): .*$", re.M)


def internal_errors(logs: Path) -> collections.Counter:
    """(path, the exception that ended the traceback) of every 500 logged in the gunicorn logs under `logs`."""
    found: collections.Counter = collections.Counter()
    for log in sorted(logs.glob("gunicorn-*.log")):
        for entry in LOG_RECORD.split(log.read_text(errors="replace")):
            if entry.startswith("ERROR django.request Internal Server Error: "):
                path = entry.split(": ", 1)[1].split("\n", 1)[0]
                found[(path, (EXCEPTION.findall(entry) or ["(no traceback)"])[-1])] += 1
    return found
