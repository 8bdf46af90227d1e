"""STS beyond AssumeRole: session tokens, key info, presigned GetCallerIdentity."""

import datetime
import re
import unittest
import urllib.parse
import urllib.request

import iamd_e2e as e


def xml_field(body, name):
    m = re.search(r'<%s>([^<]*)</%s>' % (name, name), body)
    return m and m.group(1)


class SessionTokens(e.TestCase):

    def test_get_session_token(self):
        user, key = self.new_user(key=True)
        resp = e.client('sts', key).get_session_token(DurationSeconds=900)
        creds = resp['Credentials']
        self.assertRegex(creds['AccessKeyId'], r'^ASIA[A-Z0-9]{16}$')
        self.assertEqual(len(creds['SecretAccessKey']), 40)
        left = creds['Expiration'] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(datetime.timedelta(minutes=13) < left <= datetime.timedelta(minutes=16), left)

        ident = e.client('sts', creds).get_caller_identity()
        self.assertEqual(ident['Arn'], user['Arn'])
        self.assertEqual(ident['UserId'], user['UserId'])
        self.assertEqual(ident['Account'], e.ACCOUNT)

    def test_get_session_token_duration_bounds(self):
        # botocore refuses 899 itself, so the request is signed by hand.
        _, key = self.new_user(key=True)
        status, body = e.signed_request('sts', {'Action': 'GetSessionToken', 'Version': '2011-06-15',
                                                'DurationSeconds': '899'}, creds=key)
        self.assertEqual(status, 400, body)
        self.assertEqual(xml_field(body, 'Code'), 'ValidationError', body)
        self.assertEqual(xml_field(body, 'Message'),
                         "1 validation error detected: Value '899' at 'durationSeconds' failed to "
                         'satisfy constraint: Member must have value greater than or equal to 900', body)

    def test_get_access_key_info(self):
        _, (key_id, _) = self.new_user(key=True)
        self.assertEqual(self.sts.get_access_key_info(AccessKeyId=key_id)['Account'], e.ACCOUNT)

        role = self.new_role()
        creds = self.sts.assume_role(RoleArn=role['Arn'], RoleSessionName='info')['Credentials']
        self.assertEqual(self.sts.get_access_key_info(AccessKeyId=creds['AccessKeyId'])['Account'], e.ACCOUNT)


class Presigned(e.TestCase):

    def fetch(self, url):
        return e.http(urllib.request.Request(url, method='GET'))

    def presign(self, sts=None, method='GET'):
        sts = sts or self.sts
        url = sts.generate_presigned_url('get_caller_identity', Params={}, ExpiresIn=60, HttpMethod=method)
        self.assertTrue(url.startswith(e.endpoint()), url)
        self.assertIn('X-Amz-Signature=', url)
        return url

    def test_presigned_get_caller_identity(self):
        status, body = self.fetch(self.presign())
        self.assertEqual(status, 200, body)
        self.assertEqual(xml_field(body, 'Arn'), e.ROOT_ARN, body)
        self.assertEqual(xml_field(body, 'Account'), e.ACCOUNT, body)

    def test_presigned_method_is_signed(self):
        # botocore presigns Query operations for POST unless told otherwise; the method is part
        # of the canonical request, so the URL works with POST and not with GET.
        url = self.presign(method=None)
        status, body = e.http(urllib.request.Request(url, data=b'', method='POST'))
        self.assertEqual(status, 200, body)
        self.assertEqual(xml_field(body, 'Arn'), e.ROOT_ARN, body)
        status, body = self.fetch(url)
        self.assertEqual(status, 403, body)
        self.assertEqual(xml_field(body, 'Code'), 'SignatureDoesNotMatch', body)

    def test_presigned_with_session_token(self):
        # Vault and Kubernetes authenticators pass such URLs around: the session token rides inside.
        role = self.new_role()
        creds = self.sts.assume_role(RoleArn=role['Arn'], RoleSessionName='presign')['Credentials']
        url = self.presign(e.client('sts', creds))
        self.assertIn('X-Amz-Security-Token=', url)
        status, body = self.fetch(url)
        self.assertEqual(status, 200, body)
        self.assertEqual(xml_field(body, 'Arn'),
                         'arn:aws:sts::%s:assumed-role/%s/presign' % (e.ACCOUNT, role['RoleName']), body)

    def test_tampered_presigned_url(self):
        url = self.presign()
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query)
        query = [(k, '61' if k == 'X-Amz-Expires' else v) for k, v in query]
        status, body = self.fetch(parts._replace(query=urllib.parse.urlencode(query)).geturl())
        self.assertEqual(status, 403, body)
        self.assertEqual(xml_field(body, 'Code'), 'SignatureDoesNotMatch', body)


if __name__ == '__main__':
    unittest.main()
