"""Publishing from a command or a script, in a process that never loaded the public site, expires the public
pages that the web processes cached (the purge belongs to publishing, not to a receiver of the public app).

Each step is its own process on one copy of the demo database (tests/production/demo_databases.py, of the suite's
kind), as a web worker and a script would be.
"""

from tests.benchmarks import proxy_stack
from tests.production.demo_databases import READY

# A web process: reads the home page through the whole stack, and says how many pages are cached.
READ_HOME = """
from django.db import connection
from django.test import Client
response = Client().get("/en/")
assert response.status_code == 200, response.status_code
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM napreport_public_cache")
    print(cursor.fetchone()[0])
print(response.content.decode())
"""
# A script: says which of the public site's modules it had loaded when it published the open year (rendering the
# report loads every app's template tags later, and with them the public views, but by then nothing can connect
# in time: the purge must be publishing's own).
PUBLISH = """
import sys
from commitments.models import ReportingPeriod
from napreport.report.publishing import publish_period
print(sorted(name for name in sys.modules if name.startswith("napreport.public")))
publish_period(ReportingPeriod.objects.get(start_year=2014))
"""


def test_a_publication_from_a_script_expires_the_pages_the_web_processes_cached(demo_copies):
    demo = demo_copies.copy(READY, "script")  # the demo, 2014-2015 ready to publish
    # With DEBUG=0 the pages name their static files from collectstatic's manifest: the session's own (STATIC_ROOT),
    # so the test does not depend on another one having run collectstatic into the project first.
    env = proxy_stack.app_env(
        demo.media_root.parent,
        demo.database_url,
        MEDIA_ROOT=str(demo.media_root),
        STATIC_ROOT=str(demo.static_root),
        ALLOWED_HOSTS="testserver",  # Django's test client, in READ_HOME
    )

    def manage(*args):
        return proxy_stack.manage(env, *args)

    cached, html = manage("shell", "--no-imports", "-c", READ_HOME).split("\n", 1)
    assert int(cached) > 0 and "2014 to 2015" not in html  # cached, and showing one year

    loaded = manage("shell", "--no-imports", "-c", PUBLISH)
    # The public app's config only, not its views, nor the module that caches pages.
    assert "'napreport.public.views'" not in loaded and "'napreport.public.caching'" not in loaded

    _cached, html = manage("shell", "--no-imports", "-c", READ_HOME).split("\n", 1)
    assert "Progress in 2014 to 2015" in html
