"""The peer for bench/api_create.py: django-helpdesk, installed from PyPI into its own venv.

    .venv/bin/python -m bench.peer_django [--tickets 1200]     (alone; api_create --peer runs
                                                                 it interleaved with ours)

The first run makes a venv (`python3 -m venv`) under ~/.cache/helpdesk-bench/ (or
$HELPDESK_BENCH_CACHE) and pip installs the pinned versions below into it; later runs reuse it.
Each run then writes a minimal Django project into a fresh folder: SQLite in WAL mode
(synchronous=NORMAL, as helpdesk/db.py sets ours; BEGIN IMMEDIATE so concurrent writers queue
rather than fail), DEBUG off, mail to Django's dummy backend (ours sends none either), no
access log. It migrates, makes a superuser with a DRF token and one queue, and serves the
project under gunicorn (one gthread worker, 8 threads, keep-alive), django-helpdesk's own
production recommendation. A ticket is created by POST /api/tickets/ (django-helpdesk's DRF
API: `TicketSerializer.create` runs the staff `TicketForm`, which saves the ticket, its first
follow-up and renders the notification mails), authenticated by the token sent as
`Authorization: Bearer ...` (DRF's TokenAuthentication under that keyword), so the same client
as ours drives it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# `pip freeze` of the venv on 2026-12-04: the peer and everything it pulled in.
PINS = [
    "django-helpdesk==2.6.1",
    "Django==5.2.19",
    "djangorestframework==3.18.3",
    "gunicorn==27.0.1",
    "asgiref==3.13.0",
    "beautifulsoup4==4.15.0",
    "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.3",
    "django-cleanup==9.0.0",
    "django-model-utils==5.0.0",
    "email-reply-parser==0.5.12",
    "idna==3.20",
    "Markdown==3.11.3",
    "nh3==0.3.8",
    "oauthlib==4.0.1",
    "requests==2.34.2",
    "requests-oauthlib==2.0.0",
    "soupsieve==4.1.4",
    "sqlparse==0.6.1",
    "typing_extensions==4.16.0",
    "urllib3==2.8.0",
]
PATH = "/api/tickets/"

SETTINGS = """
from pathlib import Path
HERE = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.humanize",
    "rest_framework", "rest_framework.authtoken", "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peer.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3", "NAME": str(HERE / "peer.sqlite3"),
    "OPTIONS": {
        "timeout": 30, "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    },
}}
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
STATIC_URL = "/static/"
MEDIA_ROOT = str(HERE / "media")
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/helpdesk/login/"
HELPDESK_TEAMS_MODE_ENABLED = False  # else it needs pinax-teams (an extra)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["peer.auth.BearerToken"],
}
"""

URLS = """
from django.urls import include, path
urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
"""

AUTH = """
from rest_framework.authentication import TokenAuthentication
class BearerToken(TokenAuthentication):
    keyword = "Bearer"
"""

WSGI = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""

SEED = """
import django
django.setup()
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from helpdesk.models import Queue
user = get_user_model().objects.create_superuser("agent1", "agent1@example.com", "bench-only")
Queue.objects.create(title="Bench", slug="bench", email_address="desk@example.com")
print(Token.objects.create(user=user).key)
"""


def cache_dir() -> Path:
    root = os.environ.get("HELPDESK_BENCH_CACHE") or Path.home() / ".cache" / "helpdesk-bench"
    return Path(root) / f"django-helpdesk-{PINS[0].split('==')[1]}"


def venv() -> Path:
    """The peer's interpreter: the venv made (and filled) on first use, reused after."""
    where = cache_dir()
    python = where / "bin" / "python"
    done = where / "installed.txt"
    if done.exists() and done.read_text() == "\n".join(PINS):
        return python
    print(f"peer: installing django-helpdesk into {where} (first run only)", file=sys.stderr)
    subprocess.run(["python3", "-m", "venv", "--clear", str(where)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PINS],
        check=True,
    )
    done.write_text("\n".join(PINS))
    return python


def prepare(folder: Path) -> tuple[Path, dict[str, str], str]:
    """(interpreter, environment, API token) for a migrated, seeded project in `folder`."""
    python = venv()
    package = folder / "peer"
    package.mkdir(parents=True)
    for name, text in {
        "__init__.py": "", "settings.py": SETTINGS, "urls.py": URLS, "auth.py": AUTH,
        "wsgi.py": WSGI,
    }.items():  # fmt: skip
        (package / name).write_text(textwrap.dedent(text))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(folder),
        "DJANGO_SETTINGS_MODULE": "peer.settings",
    }
    admin = [str(python), "-m", "django"]
    subprocess.run([*admin, "migrate", "--noinput"], env=env, cwd=folder, check=True,
                   capture_output=True)  # fmt: skip
    token = subprocess.run(
        [str(python), "-c", SEED], env=env, cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()
    return python, env, token


def ticket_body(i: int) -> dict[str, object]:
    """The i-th ticket, the same words as api_create.ticket_body, in the peer's fields."""
    from bench.api_create import ticket_body as ours

    body = ours(i)
    return {
        "queue": 1,
        "title": body["subject"],
        "description": body["description"],
        "submitter_email": "caller@example.com",
        "priority": 3,
    }


@contextmanager
def peer_server(folder: Path) -> Iterator[tuple[int, list[subprocess.Popen[bytes]], str]]:
    """(port, [gunicorn master], token): the peer serving on a free port until exit. The
    worker is the master's child; bench/_http.cpu_seconds counts children."""
    from bench._http import STARTUP_SECONDS, wait_until_up
    from helpdesk.runner.embedded_redis import free_port

    python, env, token = prepare(folder)
    port = free_port()
    argv = [
        str(python), "-m", "gunicorn", "peer.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--worker-class", "gthread", "--threads", "8", "--keep-alive", "30",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(argv, env=env, cwd=folder)
    try:
        import time

        wait_until_up(port, time.monotonic() + STARTUP_SECONDS)
        yield port, [server], token
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    import argparse
    import tempfile
    import threading

    from bench._http import drive
    from bench.api_create import client, summary

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1200)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, peer_server(Path(tmp)) as (port, servers, token):
        client(port, token, 50, [], [], PATH, ticket_body)
        latencies: list[float] = []
        errors: list[str] = []
        each = args.tickets // args.clients
        threads = [
            threading.Thread(
                target=client, args=(port, token, each, latencies, errors, PATH, ticket_body)
            )
            for _ in range(args.clients)
        ]
        elapsed, cpu = drive(servers, threads)
    print(summary("django-helpdesk", latencies, errors, elapsed, cpu))


if __name__ == "__main__":
    main()
