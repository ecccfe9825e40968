"""
Fixtures of the stack tests, which start servers of their own on loopback:

- ``cluster``: app servers behind HAProxy, started once for the package and
  stopped at the end (also when a test fails or the run is interrupted); the
  figures they report are printed at the end of the run. A missing binary
  (PostgreSQL, redis-server, haproxy) fails the run with the package to
  install; never a quiet skip.
- ``s3_server``, ``make_bucket``, ``bucket``: an S3-compatible server and a
  bucket the site's default storage points at, configured by the same code
  production uses (``newsroom.settings.storage``) from the same variables.
"""

from __future__ import annotations

import itertools
import json
import os
import time

import boto3
import pytest
from django.core.files.storage import default_storage
from django.utils.functional import empty

from newsroom.settings import storage as storage_settings
from tests.faults.services import ServiceMissing
from tests.stack.cluster import AppServers
from tests.stack.embedded import FIGURES as SHARED_CACHE_FIGURES
from tests.stack.embedded import Template
from tests.stack.s3 import ACCESS_KEY, REGION, SECRET_KEY, MotoS3Server
from tests.test_backup_restore import (  # noqa: F401 (the second database)
    empty_database,
    migrated_template,
)

FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="package")
def cluster():
    started = time.monotonic()
    try:
        running = AppServers()
    except ServiceMissing as error:
        pytest.fail(str(error), pytrace=False)
    try:
        running.start()
        FIGURES["cluster"] = {
            "start_seconds": round(time.monotonic() - started, 1),
            **running.timings,
        }
        yield running
    finally:
        running.stop()


@pytest.fixture
def figures(request):
    """Record this test's figures; printed at the end of the run."""
    return FIGURES.setdefault(request.node.name, {})


def pytest_terminal_summary(terminalreporter):
    for title, figures in (
        ("app server figures (docs/deploy.md)", FIGURES),
        ("shared-cache figures (docs/caching.md)", SHARED_CACHE_FIGURES),
    ):
        if not figures:
            continue
        terminalreporter.section(title)
        for name, values in figures.items():
            terminalreporter.write_line(f"{name}: {json.dumps(values, sort_keys=True)}")


@pytest.fixture(scope="module")
def template(request):
    """The demo newsroom prepared once per module for ``embedded.Site``s,
    removed at the end of the module (also when preparing it failed)."""
    prepared = Template()
    request.addfinalizer(prepared.remove)
    prepared.prepare()
    return prepared


_bucket_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def s3_server():
    server = MotoS3Server()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def _forget_cached_storages() -> None:
    """
    Drop storages built from the previous settings.

    Django resets ``default_storage`` when STORAGES changes; django-ckeditor
    keeps a storage object of its own (its browse view lists through it).
    """
    from ckeditor_uploader import utils

    utils.storage._wrapped = empty
    default_storage._wrapped = empty


@pytest.fixture
def make_bucket(s3_server, settings, monkeypatch):
    """
    ``make_bucket()``: a new, empty bucket that becomes the site's media
    storage until the test ends or the next call.

    The STORAGES entry and MEDIA_URL come from newsroom.settings.storage,
    given the variables a deployment would set.
    """
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    for variable in ("MEDIA_URL", "AWS_S3_CUSTOM_DOMAIN", "AWS_LOCATION"):
        monkeypatch.delenv(variable, raising=False)
    made: list[Bucket] = []

    def make() -> Bucket:
        name = f"newsroom-media-{os.getpid()}-{next(_bucket_numbers)}"
        variables = {
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": name,
            "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }
        for variable, value in variables.items():
            monkeypatch.setenv(variable, value)
        client.create_bucket(Bucket=name)
        # What docs/deploy.md asks of a media bucket: anyone may read its objects.
        client.put_bucket_policy(
            Bucket=name, Policy=json.dumps(public_read_policy(name))
        )
        entry, media_url = storage_settings._s3_storage()
        settings.STORAGES = {**settings.STORAGES, "default": entry}
        settings.MEDIA_URL = media_url
        _forget_cached_storages()
        made.append(Bucket(name=name, client=client, media_url=media_url))
        return made[-1]

    try:
        yield make
    finally:
        _forget_cached_storages()
        for bucket in made:
            for key in bucket.keys():
                client.delete_object(Bucket=bucket.name, Key=key)
            client.delete_bucket(Bucket=bucket.name)


@pytest.fixture
def bucket(make_bucket):
    """An empty bucket that is the site's media storage for one test."""
    return make_bucket()


def public_read_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadForMedia",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


class Bucket:
    """The test's bucket, read through boto3 directly (not the site's code)."""

    def __init__(self, *, name: str, client, media_url: str) -> None:
        self.name = name
        self.client = client
        self.media_url = media_url

    def keys(self) -> list[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        return sorted(
            item["Key"]
            for page in paginator.paginate(Bucket=self.name)
            for item in page.get("Contents", ())
        )

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=data)
