"""A Django site that keeps its private media in S3 through iamd, with django-storages.

Run by Debian's python3 (python3-django, python3-django-storages, python3-boto3) from
e2e/django_test.go, with AWS_ENDPOINT_URL naming iamd, IAMD_BUCKET an existing bucket, and
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN the credentials of a role session
allowed to use the bucket's media/ prefix. It uploads a file through a FileField, checks the
presigned URL the storage makes works without credentials until it expires, and that the plain
URL of the object is refused. It prints OK on success and exits non-zero otherwise.
"""

import os
import sys
import time
import urllib.error
import urllib.request

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY='iamd-e2e',
    INSTALLED_APPS=['django.contrib.contenttypes'],
    DATABASES={'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}},
    # The settings of django-storages' S3 backend as Debian 12's versions take them (Django 3.2,
    # django-storages 1.13); newer ones also read them.
    DEFAULT_FILE_STORAGE='storages.backends.s3boto3.S3Boto3Storage',
    AWS_STORAGE_BUCKET_NAME=os.environ['IAMD_BUCKET'],
    AWS_S3_ENDPOINT_URL=os.environ['AWS_ENDPOINT_URL'],
    AWS_S3_REGION_NAME='us-east-1',
    AWS_ACCESS_KEY_ID=os.environ['AWS_ACCESS_KEY_ID'],
    AWS_SECRET_ACCESS_KEY=os.environ['AWS_SECRET_ACCESS_KEY'],
    AWS_SESSION_TOKEN=os.environ['AWS_SESSION_TOKEN'],
    AWS_LOCATION='media',
    AWS_DEFAULT_ACL=None,
    AWS_QUERYSTRING_AUTH=True,
    AWS_QUERYSTRING_EXPIRE=3,
    AWS_S3_FILE_OVERWRITE=False,
    AWS_S3_ADDRESSING_STYLE='path',
    AWS_S3_SIGNATURE_VERSION='s3v4',
)
django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main():
    body = b'%PDF-1.4 an invoice'
    name = default_storage.save('invoices/2026/inv-1.pdf', ContentFile(body))
    assert name.startswith('invoices/2026/inv-1'), name
    assert default_storage.exists(name), 'saved file does not exist'
    with default_storage.open(name) as f:
        assert f.read() == body, 'read back differs'
    assert default_storage.size(name) == len(body)

    url = default_storage.url(name)
    assert 'X-Amz-Signature=' in url, url
    status, got = fetch(url)
    assert (status, got) == (200, body), (status, got[:200])

    plain = url.split('?', 1)[0]
    status, got = fetch(plain)
    assert status == 403 and b'AccessDenied' in got, (status, got[:200])

    time.sleep(4.5)
    status, got = fetch(url)
    assert status == 403 and b'Request has expired' in got, (status, got[:200])

    dirs, files = default_storage.listdir('invoices/2026')
    assert any(f.startswith('inv-1') for f in files), files
    default_storage.delete(name)
    assert not default_storage.exists(name), 'deleted file still exists'
    print('OK')


if __name__ == '__main__':
    try:
        main()
    except AssertionError as e:
        print('FAILED:', e, file=sys.stderr)
        sys.exit(1)
