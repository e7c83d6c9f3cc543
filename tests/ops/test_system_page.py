"""/admin/system (issue 13 item 9) against a real `helpdesk worker` on a real Redis: the
worker's heartbeat, queue lengths, a failed job with its error and the retry button (the
worker runs it again), the schema version in force, secrets masked; 403 for non-admins."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from polling import wait_until
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk import redis_connections
from helpdesk.auth.models import Role, User
from helpdesk.config import Settings
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminChange
from helpdesk.runner.embedded_redis import embedded_redis
from helpdesk.system import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url(app: Flask, tmp_path: Path) -> Iterator[str]:
    with embedded_redis(tmp_path / "redis") as url:
        app.extensions[redis_connections.REDIS_OVERRIDE] = url
        yield url
        app.extensions.pop(redis_connections.REDIS_OVERRIDE, None)


@pytest.fixture
def worker(settings: Settings, redis_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`helpdesk worker` as `helpdesk serve` starts it, on the test database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")} | {
        "HELPDESK_DATABASE_URL": settings.database_url,
        "HELPDESK_REDIS_URL": redis_url,
        "HELPDESK_INSTANCE_PATH": str(settings.instance_path),
    }
    with open(tmp_path / "worker.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "helpdesk.cli", "worker"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        yield process
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_health_of_a_real_worker_and_a_failed_job_retried(
    client: FlaskClient,
    admin: User,
    redis_url: str,
    worker: subprocess.Popen[bytes],
    session: Session,
) -> None:
    redis = Redis.from_url(redis_url)
    wait_until(lambda: Worker.all(connection=redis), 60, "the worker to register")
    # a job that fails: ping without its arguments
    job = Queue("default", connection=redis).enqueue("helpdesk.runner.jobs.ping")
    registry = FailedJobRegistry(queue=Queue("default", connection=redis))
    wait_until(lambda: job.id in registry.get_job_ids(), 30, "the job to fail")
    first_end = Job.fetch(job.id, connection=redis).ended_at

    login(client, admin)
    html = page(client, "/admin/system")
    assert "设置与运行状况" in html and "Redis 正常" in html
    # the worker in words: where it runs and since when, not RQ's hex id
    running = Worker.all(connection=redis)[0]
    assert "最后心跳" in html and running.name not in html
    assert f"{running.hostname} 上的进程 {running.pid}" in html and "启动于" in html
    assert "失败的任务" in html and "helpdesk.runner.jobs.ping" in html and "TypeError" in html
    assert "SLA 计时器" in html
    # the schema in force, whatever number the newest migration has
    assert re.search(r"<code>00\d\d</code> <span class=\"muted small\">已是最新", html)
    assert "<code>False</code>" not in html and "否" in html  # a switch reads as a word
    assert client.application.config["SECRET_KEY"] not in html  # masked

    retried = client.post(f"/admin/system/failed/default/{job.id}/retry")
    assert retried.status_code == 303
    assert "任务已放回队列" in page(client, "/admin/system")

    def ran_again() -> bool:
        again = Job.fetch(job.id, connection=redis)
        return again.ended_at is not None and again.ended_at != first_end

    wait_until(ran_again, 30, "the worker to run the retried job")
    change = session.scalars(select(AdminChange).where(AdminChange.kind == "job.retried")).one()
    assert change.target_label == job.id and change.actor_login == admin.login
    gone = client.post("/admin/system/failed/default/no-such-job/retry")
    assert gone.status_code == 303 and "已不在失败列表中" in page(client, "/admin/system")
    redis.close()


def test_redis_down_is_said_and_non_admins_are_refused(
    client: FlaskClient,
    app: Flask,
    make_user: type[User] | object,
    centre: Organisation,
    admin: User,
) -> None:
    # the whole app needs Redis for its sessions, so the page's reading is asked directly
    down = health.health(Redis.from_url("redis://127.0.0.1:1/0", socket_timeout=1))
    assert not down.redis_ok and down.redis_error
    for role in (Role.SUPERVISOR, Role.AGENT):
        other = app.test_client()
        login(other, make_user(role, centre))  # type: ignore[operator]
        assert other.get("/admin/system").status_code == 403
        assert other.post("/admin/system/failed/default/x/retry").status_code in (400, 403)


def test_the_versions_in_force_are_named_as_the_editors_name_them(
    client: FlaskClient, admin: User, redis_url: str
) -> None:
    """生效的版本 showed 分派规则 fe0608bbb17f, SLA 策略 17e3a5be10f6, hotline ebf85ddfb980:
    digests of files, where the admin knows each document by the version it published."""
    from helpdesk.channels.phone.ivr import loader, published

    published.forget()
    login(client, admin)
    text = (loader.DEFAULT_FOLDER / "hotline.yaml").read_text(encoding="utf-8")
    edited = text.replace("欢迎致电", "感谢致电", 1)
    saved = client.post("/admin/ivr/hotline.yaml", data={"text": edited, "action": "publish"})
    assert saved.status_code == 302
    html = page(client, "/admin/system")
    versions = html[html.index("生效的版本") : html.index("生效的配置")]
    assert '<a href="/admin/ivr/versions/2">第 2 版</a>' in versions
    assert versions.count("平台自带文件") == 2  # rules and SLA: nothing published yet
    published.forget()
