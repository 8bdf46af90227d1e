"""S3 through iamd with boto3 and the aws CLI: the brief's founding example (an S3 client built
from role credentials, for one prefix of one bucket), presigned URLs, multipart transfers, bucket
policies under Block Public Access, and CORS.
"""

import os
import subprocess
import tempfile
import time
import urllib.request

import boto3
import botocore.config
from botocore.exceptions import ClientError

import iamd_e2e as e


def s3(creds=None):
    return e.client('s3', creds)


def aws_s3(*args, env=None):
    """Runs `aws s3 ARGS` (whose output is text, not JSON); returns (exit status, stdout, stderr)."""
    p = subprocess.run(['aws', 's3', *args], env={**os.environ, **(env or {})}, capture_output=True,
                       text=True, timeout=e.CLI_TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def delete_bucket(client, name):
    """Empties and deletes a bucket; one already gone is fine."""
    try:
        for page in client.get_paginator('list_objects_v2').paginate(Bucket=name):
            for o in page.get('Contents', []):
                client.delete_object(Bucket=name, Key=o['Key'])
        for u in client.list_multipart_uploads(Bucket=name).get('Uploads', []):
            client.abort_multipart_upload(Bucket=name, Key=u['Key'], UploadId=u['UploadId'])
        client.delete_bucket(Bucket=name)
    except ClientError as err:
        if err.response['Error']['Code'] != 'NoSuchBucket':
            raise


class S3TestCase(e.TestCase):

    def new_bucket(self, prefix='e2e-bucket'):
        name = e.unique(prefix)
        root = s3()
        root.create_bucket(Bucket=name)
        self.addCleanup(delete_bucket, root, name)
        return name

    def media_role(self, bucket, prefix='media/'):
        """A role that the operator may assume, allowed to list, get and put under one prefix."""
        role = self.new_role(trust_policy=e.trust(e.operator_arn()))
        self.iam.put_role_policy(RoleName=role['RoleName'], PolicyName='media', PolicyDocument=e.doc(
            {'Effect': 'Allow', 'Action': 's3:ListBucket', 'Resource': 'arn:aws:s3:::' + bucket,
             'Condition': {'StringLike': {'s3:prefix': [prefix + '*']}}},
            {'Effect': 'Allow', 'Action': ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
             'Resource': 'arn:aws:s3:::%s/%s*' % (bucket, prefix)}))
        return role


class FoundingExample(S3TestCase):

    def test_role_credentials_open_one_prefix(self):
        bucket = self.new_bucket()
        s3().put_object(Bucket=bucket, Key='private/secret.txt', Body=b'not for the app')
        role = self.media_role(bucket)

        # The brief: assume the role, then build an S3 client from the temporary credentials.
        creds = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='session1')['Credentials']
        app = boto3.client('s3', aws_access_key_id=creds['AccessKeyId'],
                           aws_secret_access_key=creds['SecretAccessKey'],
                           aws_session_token=creds['SessionToken'],
                           region_name=e.REGION, config=e.CONFIG)

        app.put_object(Bucket=bucket, Key='media/cat.jpg', Body=b'\xff\xd8 a cat', ContentType='image/jpeg')
        got = app.get_object(Bucket=bucket, Key='media/cat.jpg')
        self.assertEqual(got['Body'].read(), b'\xff\xd8 a cat')
        self.assertEqual(got['ContentType'], 'image/jpeg')
        listed = app.list_objects_v2(Bucket=bucket, Prefix='media/')
        self.assertEqual([o['Key'] for o in listed['Contents']], ['media/cat.jpg'])

        # Everywhere else: denied, in S3's words.
        err = self.assertAwsError('AccessDenied', app.get_object, Bucket=bucket, Key='private/secret.txt')
        self.assertIn('s3:GetObject', err['Message'])
        self.assertAwsError('AccessDenied', app.put_object, Bucket=bucket, Key='private/x', Body=b'x')
        self.assertAwsError('AccessDenied', app.list_objects_v2, Bucket=bucket)
        self.assertAwsError('AccessDenied', app.list_buckets)
        other = self.new_bucket()
        self.assertAwsError('AccessDenied', app.put_object, Bucket=other, Key='media/x', Body=b'x')
        # A missing key the role may not list reads as AccessDenied, not NoSuchKey.
        self.assertAwsError('AccessDenied', app.get_object, Bucket=bucket, Key='private/none')

    def test_aws_cli_with_role_credentials(self):
        bucket = self.new_bucket()
        role = self.media_role(bucket)
        creds = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='cli')['Credentials']
        env = {'AWS_ACCESS_KEY_ID': creds['AccessKeyId'], 'AWS_SECRET_ACCESS_KEY': creds['SecretAccessKey'],
               'AWS_SESSION_TOKEN': creds['SessionToken']}
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, 'src')
            os.makedirs(os.path.join(src, 'sub'))
            for name, body in [('a.txt', b'alpha'), ('sub/b.txt', b'beta' * 1000)]:
                with open(os.path.join(src, name), 'wb') as f:
                    f.write(body)
            rc, _, err = aws_s3('cp', os.path.join(src, 'a.txt'), 's3://%s/media/a.txt' % bucket, env=env)
            self.assertEqual(rc, 0, err)
            rc, _, err = aws_s3('sync', src, 's3://%s/media/site/' % bucket, env=env)
            self.assertEqual(rc, 0, err)
            p = subprocess.run(['aws', 's3', 'ls', '--recursive', 's3://%s/media/' % bucket],
                                             env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            for key in ['media/a.txt', 'media/site/a.txt', 'media/site/sub/b.txt']:
                self.assertIn(key, p.stdout)
            dst = os.path.join(d, 'dst')
            rc, _, err = aws_s3('cp', '--recursive', 's3://%s/media/site/' % bucket, dst, env=env)
            self.assertEqual(rc, 0, err)
            with open(os.path.join(dst, 'sub', 'b.txt'), 'rb') as f:
                self.assertEqual(f.read(), b'beta' * 1000)
            # Outside the prefix the CLI is refused.
            rc, _, err = aws_s3('cp', os.path.join(src, 'a.txt'), 's3://%s/other/a.txt' % bucket, env=env)
            self.assertNotEqual(rc, 0)
            self.assertIn('AccessDenied', err)
            # presign gives a URL anyone can use until it expires.
            p = subprocess.run(['aws', 's3', 'presign', 's3://%s/media/a.txt' % bucket, '--expires-in', '60'],
                                             env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            status, body = e.http(urllib.request.Request(p.stdout.strip()))
            self.assertEqual((status, body), (200, 'alpha'))
            rc, _, err = aws_s3('rm', '--recursive', 's3://%s/media/' % bucket, env=env)
            self.assertEqual(rc, 0, err)
            self.assertEqual(s3().list_objects_v2(Bucket=bucket)['KeyCount'], 0)


class PresignedAndTransfers(S3TestCase):

    def test_presigned_get_and_put(self):
        bucket = self.new_bucket()
        root = s3()
        put_url = root.generate_presigned_url('put_object', Params={'Bucket': bucket, 'Key': 'up.txt'}, ExpiresIn=60)
        # urllib would add a form Content-Type, which the URL was not signed with.
        status, _ = e.http(urllib.request.Request(put_url, data=b'uploaded', method='PUT', headers={'Content-Type': ''}))
        self.assertEqual(status, 200)
        get_url = root.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': 'up.txt'}, ExpiresIn=2)
        self.assertEqual(e.http(urllib.request.Request(get_url)), (200, 'uploaded'))
        # A plain URL is refused: the bucket is private.
        status, body = e.http(urllib.request.Request('%s/%s/up.txt' % (e.endpoint(), bucket)))
        self.assertEqual(status, 403, body)
        self.assertIn('<Code>AccessDenied</Code>', body)
        time.sleep(3.1)
        status, body = e.http(urllib.request.Request(get_url))
        self.assertEqual(status, 403, body)
        self.assertIn('Request has expired', body)

    def test_multipart_upload_and_download(self):
        bucket = self.new_bucket()
        root = s3()
        data = os.urandom(20 * 1024 * 1024 + 123)
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, 'src'), os.path.join(d, 'dst')
            with open(src, 'wb') as f:
                f.write(data)
            # upload_file goes multipart above 8 MiB, with the SDK's default checksums.
            root.upload_file(src, bucket, 'big.bin')
            head = root.head_object(Bucket=bucket, Key='big.bin')
            self.assertEqual(head['ContentLength'], len(data))
            self.assertTrue(head['ETag'].endswith('-3"'), head['ETag'])
            root.download_file(bucket, 'big.bin', dst)
            with open(dst, 'rb') as f:
                self.assertEqual(f.read(), data)
        got = root.get_object(Bucket=bucket, Key='big.bin', Range='bytes=10-19')
        self.assertEqual(got['Body'].read(), data[10:20])
        self.assertEqual(got['ContentRange'], 'bytes 10-19/%d' % len(data))

    def test_copy_needs_both_sides(self):
        src_bucket, dst_bucket = self.new_bucket(), self.new_bucket()
        s3().put_object(Bucket=src_bucket, Key='media/a', Body=b'a')
        role = self.media_role(dst_bucket)
        creds = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='copy')['Credentials']
        app = s3(creds)
        # May write the target but not read the source: denied.
        self.assertAwsError('AccessDenied', app.copy_object, Bucket=dst_bucket, Key='media/a',
                            CopySource={'Bucket': src_bucket, 'Key': 'media/a'})
        s3().copy_object(Bucket=dst_bucket, Key='media/b', CopySource={'Bucket': src_bucket, 'Key': 'media/a'})
        self.assertEqual(app.get_object(Bucket=dst_bucket, Key='media/b')['Body'].read(), b'a')


class BucketPolicies(S3TestCase):

    def test_new_buckets_block_public_policies(self):
        bucket = self.new_bucket()
        root = s3()
        public = e.doc({'Effect': 'Allow', 'Principal': '*', 'Action': 's3:GetObject',
                        'Resource': 'arn:aws:s3:::%s/public/*' % bucket})
        self.assertAwsError('AccessDenied', root.put_bucket_policy, Bucket=bucket, Policy=public)
        self.assertAwsError('NoSuchBucketPolicy', root.get_bucket_policy_status, Bucket=bucket)
        root.delete_public_access_block(Bucket=bucket)
        root.put_bucket_policy(Bucket=bucket, Policy=public)
        self.assertTrue(root.get_bucket_policy_status(Bucket=bucket)['PolicyStatus']['IsPublic'])
        root.put_object(Bucket=bucket, Key='public/hello.txt', Body=b'hello world')
        root.put_object(Bucket=bucket, Key='private/x', Body=b'x')
        self.assertEqual(e.http(urllib.request.Request('%s/%s/public/hello.txt' % (e.endpoint(), bucket))), (200, 'hello world'))
        status, _ = e.http(urllib.request.Request('%s/%s/private/x' % (e.endpoint(), bucket)))
        self.assertEqual(status, 403)

    def test_bucket_policy_grants_a_user_without_identity_policy(self):
        bucket = self.new_bucket()
        user, key = self.new_user(key=True)
        s3().put_bucket_policy(Bucket=bucket, Policy=e.doc(
            {'Effect': 'Allow', 'Principal': {'AWS': user['Arn']}, 'Action': ['s3:PutObject', 's3:GetObject'],
             'Resource': 'arn:aws:s3:::%s/*' % bucket}))
        policy = s3().get_bucket_policy(Bucket=bucket)['Policy']
        self.assertIn(user['Arn'], policy)
        c = s3(key)
        c.put_object(Bucket=bucket, Key='k', Body=b'v')
        self.assertEqual(c.get_object(Bucket=bucket, Key='k')['Body'].read(), b'v')
        self.assertAwsError('AccessDenied', c.delete_object, Bucket=bucket, Key='k')
        self.assertAwsError('MalformedPolicy', s3().put_bucket_policy, Bucket=bucket, Policy=e.doc(
            {'Effect': 'Allow', 'Principal': {'AWS': user['Arn']}, 'Action': 's3:GetObject',
             'Resource': 'arn:aws:s3:::some-other-bucket/*'}))

    def test_names_are_global_and_errors_are_s3s(self):
        bucket = self.new_bucket()
        root = s3()
        self.assertAwsError('InvalidBucketName', root.create_bucket, Bucket='Not_Valid')
        self.assertAwsError('NoSuchBucket', root.get_object, Bucket=e.unique('nobucket'), Key='k')
        self.assertAwsError('NoSuchKey', root.get_object, Bucket=bucket, Key='missing')
        self.assertAwsError('BucketNotEmpty', lambda: (root.put_object(Bucket=bucket, Key='k', Body=b''),
                                                       root.delete_bucket(Bucket=bucket)))
        names = [b['Name'] for b in root.list_buckets()['Buckets']]
        self.assertIn(bucket, names)

    def test_cors_preflight(self):
        bucket = self.new_bucket()
        root = s3()
        root.put_bucket_cors(Bucket=bucket, CORSConfiguration={'CORSRules': [{
            'AllowedOrigins': ['https://www.example.com'], 'AllowedMethods': ['PUT', 'GET'],
            'AllowedHeaders': ['*'], 'ExposeHeaders': ['ETag'], 'MaxAgeSeconds': 3000}]})
        req = urllib.request.Request('%s/%s/upload.txt' % (e.endpoint(), bucket), method='OPTIONS', headers={
            'Origin': 'https://www.example.com', 'Access-Control-Request-Method': 'PUT',
            'Access-Control-Request-Headers': 'content-type'})
        with urllib.request.urlopen(req, timeout=e.HTTP_TIMEOUT) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers['Access-Control-Allow-Origin'], 'https://www.example.com')
            self.assertIn('PUT', r.headers['Access-Control-Allow-Methods'])
        req.headers['Origin'] = 'https://evil.example'
        status, _ = e.http(urllib.request.Request(req.full_url, method='OPTIONS', headers={
            'Origin': 'https://evil.example', 'Access-Control-Request-Method': 'PUT'}))
        self.assertEqual(status, 403)


def post_form(url, fields, filename, content):
    """POSTs a browser-style multipart/form-data upload; returns (status, body)."""
    boundary = '----iamd' + e.unique('b')
    parts = []
    for k, v in fields.items():
        parts.append(('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)).encode())
    parts.append(('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                  'Content-Type: application/octet-stream\r\n\r\n' % (boundary, filename)).encode() + content + b'\r\n')
    parts.append(('--%s--\r\n' % boundary).encode())
    req = urllib.request.Request(url, data=b''.join(parts), method='POST',
                                 headers={'Content-Type': 'multipart/form-data; boundary=' + boundary})
    return e.http(req)


class BrowserUploads(S3TestCase):

    def test_presigned_post_both_signature_versions(self):
        bucket = self.new_bucket()
        for version in ['s3', 's3v4']:
            c = boto3.client('s3', region_name=e.REGION,
                             config=e.CONFIG.merge(botocore.config.Config(signature_version=version)))
            post = c.generate_presigned_post(bucket, 'uploads/%s/${filename}' % version,
                                             Conditions=[['content-length-range', 1, 100]], ExpiresIn=60)
            status, body = post_form(post['url'], post['fields'], 'hello.txt', b'hello from a form')
            self.assertEqual(status, 204, body)
            got = s3().get_object(Bucket=bucket, Key='uploads/%s/hello.txt' % version)['Body'].read()
            self.assertEqual(got, b'hello from a form')
            # Over the policy's size limit: refused, nothing stored.
            status, body = post_form(post['url'], post['fields'], 'big.txt', b'x' * 101)
            self.assertEqual(status, 400, body)
            self.assertIn('EntityTooLarge', body)
            # A key the policy does not allow: refused.
            fields = dict(post['fields'], key='elsewhere/x')
            status, body = post_form(post['url'], fields, 'x.txt', b'x')
            self.assertEqual(status, 403, body)
            self.assertIn('Invalid according to Policy', body)
        keys = [o['Key'] for o in s3().list_objects_v2(Bucket=bucket)['Contents']]
        self.assertEqual(sorted(keys), ['uploads/s3/hello.txt', 'uploads/s3v4/hello.txt'])
