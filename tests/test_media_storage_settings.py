"""
MEDIA_STORAGE and its variables (newsroom/settings/storage.py): the settings
a deployment gets, and a clear refusal of a storage that cannot work.

Each case starts Django in a subprocess with only the given variables, as a
deployment would; the bucket tests themselves are in tests/stack/.
"""

import json
import subprocess
import sys

import pytest

from tests.test_settings import ROOT, clean_env

STORAGE_VARIABLES = {
    "MEDIA_STORAGE",
    "MEDIA_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_LOCATION",
    "EXTRA_CSP_IMG_ORIGINS",
}

SHOW = (
    "import json, django; django.setup(); "
    "from django.conf import settings as s; "
    "from django.core.files.storage import default_storage as d; "
    "print(json.dumps({'media_url': s.MEDIA_URL, "
    "'backend': s.STORAGES['default']['BACKEND'], "
    "'url': d.url('uploads/2026/05/a b.jpg'), "
    "'img_src': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], "
    "'serve': s.SERVE_MEDIA}))"
)


def run(code: str, args=(), **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in clean_env().items() if k not in STORAGE_VARIABLES}
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=ROOT,
        env={**base, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def show(**env: str) -> dict:
    result = run(SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_default_is_the_local_folder_under_media():
    assert show() == {
        "media_url": "/media/",
        "backend": "django.core.files.storage.FileSystemStorage",
        "url": "/media/uploads/2026/05/a%20b.jpg",
        "img_src": ["'self'"],
        "serve": True,
    }


def test_s3_with_an_endpoint_serves_from_the_endpoint_and_bucket():
    shown = show(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="news-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="eu-west-2",
    )

    assert shown == {
        "media_url": "http://127.0.0.1:9000/news-media/",
        "backend": "storages.backends.s3.S3Storage",
        "url": "http://127.0.0.1:9000/news-media/uploads/2026/05/a%20b.jpg",
        "img_src": ["'self'", "http://127.0.0.1:9000"],
        "serve": False,
    }


def test_s3_on_aws_without_an_endpoint_uses_the_virtual_hosted_address():
    shown = show(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="news-media",
        AWS_S3_REGION_NAME="eu-west-2",
    )

    assert shown["media_url"] == "https://news-media.s3.eu-west-2.amazonaws.com/"
    assert shown["img_src"] == [
        "'self'",
        "https://news-media.s3.eu-west-2.amazonaws.com",
    ]


def test_custom_domain_and_location():
    shown = show(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="news-media",
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
        AWS_LOCATION="site",
        EXTRA_CSP_IMG_ORIGINS="https://images.example.net",
    )

    assert shown["media_url"] == "https://media.example.com/site/"
    assert shown["url"] == "https://media.example.com/site/uploads/2026/05/a%20b.jpg"
    assert shown["img_src"] == [
        "'self'",
        "https://media.example.com",
        "https://images.example.net",
    ]


def test_an_absolute_media_url_names_the_cdn_in_front_of_the_bucket():
    shown = show(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="news-media",
        MEDIA_URL="https://cdn.example.org/media",
    )

    assert shown["media_url"] == "https://cdn.example.org/media/"
    assert shown["url"] == "https://cdn.example.org/media/uploads/2026/05/a%20b.jpg"
    assert shown["img_src"] == ["'self'", "https://cdn.example.org"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MEDIA_STORAGE": "s3"},
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME: set it to the name "
            "of the bucket",
        ),
        (
            {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": " "},
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME",
        ),
        (
            {
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "b",
                "MEDIA_URL": "/media/",
            },
            "MEDIA_URL must be an absolute http:// or https:// address when "
            "MEDIA_STORAGE=s3",
        ),
        (
            {
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "b",
                "AWS_S3_CUSTOM_DOMAIN": "https://media.example.com",
            },
            "AWS_S3_CUSTOM_DOMAIN is a host name (and optional path), without https://",
        ),
        ({"MEDIA_STORAGE": "gcs"}, "MEDIA_STORAGE must be one of local, s3, not 'gcs'"),
    ],
    ids=["no-bucket", "blank-bucket", "relative-media-url", "scheme-in-domain", "kind"],
)
def test_a_storage_that_cannot_work_stops_manage_py_check(env, message):
    result = run("", ["manage.py", "check"], **env)

    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
