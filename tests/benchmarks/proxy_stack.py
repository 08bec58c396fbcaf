"""The production stack on 127.0.0.1, for the proxy test and the benchmarks: the app prepared on a throwaway
database, gunicorn instances, and nginx in front with deploy/nginx.conf.template filled in.

Every process runs in the foreground of its own subprocess and is stopped with `Stack.stop()`.
"""

import http.client
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
TEMPLATE = PROJECT / "deploy" / "nginx.conf.template"
# Debian installs nginx in /usr/sbin, which an ordinary user's PATH may lack.
NGINX = shutil.which("nginx", path=os.environ.get("PATH", "") + os.pathsep + "/usr/sbin")

MAIN_CONF = """
{user}
worker_processes {workers};
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path {workdir}/nginx-body;
    proxy_temp_path {workdir}/nginx-proxy;
    fastcgi_temp_path {workdir}/nginx-fastcgi;
    uwsgi_temp_path {workdir}/nginx-uwsgi;
    scgi_temp_path {workdir}/nginx-scgi;
    include {site};
{extra}
}}
"""


def app_env(workdir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The production environment (DEBUG=0), over plain HTTP on 127.0.0.1."""
    return {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "DEBUG": "0",
        "SECRET_KEY": "proxy-stack-" + "p" * 40,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "BEHIND_PROXY": "1",
        "CONN_MAX_AGE": "60",
        "PYTHONPATH": str(PROJECT),
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(env: dict[str, str]) -> None:
    """Tables, static files and the demo, as a deployment would have them."""
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["load_demo"]):
        manage(env, *args)


def answers(port: int, path: str = "/healthz", timeout: float = 2) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "localhost"})
        return connection.getresponse().status
    finally:
        connection.close()


def wait_until_up(process: subprocess.Popen, port: int, path: str, what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{what} stopped at start (exit {process.returncode})")
        try:
            if answers(port, path) == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{what} did not answer on port {port}")


class Stack:
    """gunicorn instances and one nginx, started on demand, all stopped by stop()."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir, self.env = workdir, env
        self.processes: list[subprocess.Popen] = []
        self.instances: dict[int, subprocess.Popen] = {}  # gunicorn's, by port

    def gunicorn(
        self,
        port: int,
        workers: int = 2,
        worker_class: str = "sync",
        threads: int = 1,
        access_log: bool = False,
        **env: str,
    ):
        """gunicorn on `port`; with `access_log`, each request's line goes to its log (`log_path(port)`)."""
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class]
        if worker_class == "gthread":
            command += ["--threads", str(threads)]
        if access_log:
            command += ["--access-logfile", "-"]
        command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "napreport.wsgi:application"]
        log = open(self.log_path(port), "ab")  # noqa: SIM115 -- closed with the process
        process = subprocess.Popen(command, cwd=PROJECT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.instances[port] = process
        wait_until_up(process, port, "/healthz", f"gunicorn on {port}")
        return process

    def stop_instance(self, port: int) -> None:
        """Stops the gunicorn instance on `port` (its workers finish what they are doing); gunicorn(port) starts it
        again."""
        process = self.instances.pop(port)
        process.terminate()
        process.wait(timeout=30)
        self.processes.remove(process)

    def log_path(self, port: int) -> Path:
        return self.workdir / f"gunicorn-{port}.log"

    def nginx(self, port: int, upstream_ports: list[int], workers: int = 1, extra: str = "") -> subprocess.Popen:
        """nginx on `port` in front of the given gunicorn ports, with the deployment's own site configuration.
        `extra` is more http-level configuration (the benchmark's static floor)."""
        if NGINX is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light; `make test` does)")
        site = TEMPLATE.read_text()
        for name, value in {
            "@LISTEN@": f"127.0.0.1:{port}",
            "@SERVER_NAME@": "localhost",
            "@UPSTREAMS@": " ".join(f"server 127.0.0.1:{p};" for p in upstream_ports),
            "@STATIC_ROOT@": self.env["STATIC_ROOT"],
            "@CACHE_DIR@": str(self.workdir / "nginx-cache"),
            "@DEPLOY_DIR@": str(TEMPLATE.parent),
        }.items():
            site = site.replace(name, value)
        (self.workdir / "napreport-site.conf").write_text(site)
        main = MAIN_CONF.format(
            # As root, nginx's workers would otherwise run as nobody, who cannot read the test's private folders.
            user="user root;" if os.geteuid() == 0 else "",
            workers=workers,
            workdir=self.workdir,
            site=self.workdir / "napreport-site.conf",
            extra=extra,
        )
        (self.workdir / "nginx.conf").write_text(main)
        command = [NGINX, "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"), "-g", "daemon off;"]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        if check.returncode:
            raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        wait_until_up(process, port, "/healthz", f"nginx on {port}")
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()
