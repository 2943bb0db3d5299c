"""The scale profile (bin/scale-env): PostgreSQL, Redis for cache and jobs, S3 for files."""

from __future__ import annotations

import os
import threading
import uuid

import boto3
import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.urls import reverse
from huey import RedisHuey
from storages.backends.s3 import S3Storage

from accordo.clients.selectors import firm_get
from accordo.clients.services import firm_update
from accordo.core.context import RequestContext
from accordo.core.events import event_record, verify_chain
from accordo.core.models import Event
from accordo.tasks import HUEY

pytestmark = [
    pytest.mark.scale,
    pytest.mark.skipif(
        not os.environ.get("ACCORDO_DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs the scale profile: run under bin/scale-env (make test-scale)",
    ),
]

CTX = RequestContext(ip="192.0.2.1", user_agent="pytest", source="test")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def s3():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["ACCORDO_S3_ENDPOINT_URL"],
        region_name=os.environ.get("ACCORDO_S3_REGION", "eu-west-1"),
        aws_access_key_id=os.environ["ACCORDO_S3_ACCESS_KEY"],
        aws_secret_access_key=os.environ["ACCORDO_S3_SECRET_KEY"],
    )


def s3_bucket() -> str:
    return os.environ["ACCORDO_S3_BUCKET"]


def s3_key(name: str) -> str:
    prefix = os.environ.get("ACCORDO_S3_PREFIX", "").strip("/")
    return f"{prefix}/{name}" if prefix else name


# --- PostgreSQL -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 140000


def test_it_keeps_the_event_chain_whole_under_concurrent_writers(transactional_db):
    """GIVEN four threads, each with its own database connection
    WHEN they record events at the same time
    THEN the chain head's row lock serialises them: contiguous sequence numbers, an intact chain."""
    threads_count, per_thread = 4, 10
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                with transaction.atomic():
                    event_record(actor=None, ctx=CTX, verb="scale.tested", data={"thread": n, "i": i})
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    total = threads_count * per_thread
    assert list(Event.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
    assert verify_chain() == (total, None)


# --- S3 -------------------------------------------------------------------------------------------


def test_it_stores_files_in_the_s3_bucket(s3):
    assert isinstance(default_storage, S3Storage)
    body = b"scale profile " + uuid.uuid4().hex.encode()

    name = default_storage.save("scale/hello.txt", ContentFile(body))
    try:
        with default_storage.open(name, "rb") as handle:
            assert handle.read() == body
        stored = s3.get_object(Bucket=s3_bucket(), Key=s3_key(name))
        assert stored["Body"].read() == body
        assert default_storage.size(name) == len(body)
    finally:
        default_storage.delete(name)
    assert not default_storage.exists(name)


def test_it_streams_the_uploaded_firm_logo_from_s3(client, firm_admin, s3):
    firm = firm_get()
    upload = SimpleUploadedFile("logo.png", PNG, content_type="image/png")

    firm_update(actor=firm_admin, ctx=CTX, firm=firm, changes={}, logo=upload)

    firm.refresh_from_db()
    assert firm.logo.name.startswith("branding/")
    assert s3.head_object(Bucket=s3_bucket(), Key=s3_key(firm.logo.name))["ContentLength"] == len(PNG)
    response = client.get(reverse("branding_logo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    firm.logo.delete(save=False)


# --- Redis: jobs and cache ------------------------------------------------------------------------


@HUEY.task()
def add_numbers(a: int, b: int) -> int:
    return a + b


@pytest.fixture
def queued_huey():
    """The project's huey with immediate mode off: tasks go to Redis instead of running inline."""
    was_immediate = HUEY.immediate
    HUEY.immediate = False
    HUEY.flush()
    yield HUEY
    HUEY.flush()
    HUEY.immediate = was_immediate


def test_it_queues_jobs_in_redis(queued_huey):
    assert isinstance(queued_huey, RedisHuey)
    server = redis.Redis.from_url(settings.REDIS_URL)

    result = add_numbers(2, 3)

    assert queued_huey.pending_count() == 1
    assert server.llen(queued_huey.storage.queue_key) == 1
    task = queued_huey.dequeue()
    assert task is not None and task.id == result.id
    assert server.llen(queued_huey.storage.queue_key) == 0
    queued_huey.execute(task)
    assert result.get() == 5


def test_it_caches_in_redis():
    assert isinstance(caches["default"], RedisCache)
    key = f"scale-{uuid.uuid4().hex}"

    cache.set(key, {"n": 1}, timeout=30)

    assert cache.get(key) == {"n": 1}
    assert redis.Redis.from_url(settings.CACHE_REDIS_URL).exists(cache.make_key(key)) == 1
    assert redis.Redis.from_url(settings.REDIS_URL).exists(cache.make_key(key)) == 0
    cache.delete(key)
    assert cache.get(key) is None


def test_it_keeps_queued_jobs_when_the_cache_is_cleared(queued_huey):
    add_numbers(1, 1)
    cache.clear()
    assert queued_huey.pending_count() == 1
