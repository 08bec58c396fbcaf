"""Two transactions at once, as two requests would run them: each function in its own thread, hence its own
database connection (closed when it ends)."""

import threading

from django.db import connection


def run_in_threads(*steps, timeout=30):
    """Run each of `steps` in its own thread, wait for all, and return the exceptions they raised (none: [])."""
    errors = []

    def run(step):
        try:
            step()
        except Exception as error:  # noqa: BLE001  # returned to the test, which asserts there is none
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=[step]) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return errors
