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
        creds = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='info')['Credentials']
        self.assertEqual(self.sts.get_access_key_info(AccessKeyId=creds['AccessKeyId'])['Account'], e.ACCOUNT)


class AssumeRoleOptions(e.TestCase):

    def test_root_may_not_assume_roles(self):
        role = self.new_role()
        err = self.assertAwsError('AccessDenied', self.sts.assume_role,
                                  RoleArn=role['Arn'], RoleSessionName='root')
        self.assertEqual(err['Message'], 'Roles may not be assumed by root accounts.')

    def test_external_id(self):
        role = self.new_role(trust_policy=e.doc({
            'Effect': 'Allow', 'Principal': {'AWS': e.ROOT_ARN}, 'Action': 'sts:AssumeRole',
            'Condition': {'StringEquals': {'sts:ExternalId': 'shared-secret-42'}}}))
        for case, kw in {'missing': {}, 'wrong': {'ExternalId': 'shared-secret-43'}}.items():
            with self.subTest(case):
                self.assertAwsError('AccessDenied', self.assumer.assume_role, RoleArn=role['Arn'],
                                    RoleSessionName='ext', **kw)
        resp = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='ext', ExternalId='shared-secret-42')
        self.assertEqual(resp['AssumedRoleUser']['Arn'],
                         'arn:aws:sts::%s:assumed-role/%s/ext' % (e.ACCOUNT, role['RoleName']))

    def test_duration_and_role_chaining(self):
        target = self.new_role(MaxSessionDuration=7200)
        first = self.new_role()
        self.iam.put_role_policy(RoleName=first['RoleName'], PolicyName='assume',
                                 PolicyDocument=e.doc(e.allow('sts:AssumeRole', target['Arn'])))

        resp = self.assumer.assume_role(RoleArn=target['Arn'], RoleSessionName='long', DurationSeconds=7200)
        left = resp['Credentials']['Expiration'] - datetime.datetime.now(datetime.timezone.utc)
        self.assertTrue(datetime.timedelta(minutes=118) < left <= datetime.timedelta(minutes=121), left)
        self.assertAwsError('ValidationError', self.assumer.assume_role, RoleArn=target['Arn'],
                            RoleSessionName='toolong', DurationSeconds=7201)

        # A session of one role assuming another: at most one hour, whatever the role allows.
        hop = e.client('sts', self.assumer.assume_role(RoleArn=first['Arn'], RoleSessionName='hop1')['Credentials'])
        err = self.assertAwsError('ValidationError', hop.assume_role, RoleArn=target['Arn'],
                                  RoleSessionName='hop2', DurationSeconds=7200)
        self.assertEqual(err['Message'], 'The requested DurationSeconds exceeds the 1 hour session limit '
                                         'for roles assumed by role chaining.')
        chained = hop.assume_role(RoleArn=target['Arn'], RoleSessionName='hop2', DurationSeconds=3600)
        self.assertEqual(e.client('sts', chained['Credentials']).get_caller_identity()['Arn'],
                         'arn:aws:sts::%s:assumed-role/%s/hop2' % (e.ACCOUNT, target['RoleName']))

    def test_get_federation_token(self):
        user, key = self.new_user(key=True)
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='read-users',
                                 PolicyDocument=e.doc(e.allow(['iam:ListUsers', 'iam:GetUser', 'sts:GetFederationToken'])))
        resp = e.client('sts', key).get_federation_token(Name='fed-e2e', DurationSeconds=900,
                                                           Policy=e.doc(e.allow('iam:ListUsers')))
        self.assertEqual(resp['FederatedUser']['Arn'], 'arn:aws:sts::%s:federated-user/fed-e2e' % e.ACCOUNT)
        self.assertEqual(resp['FederatedUser']['FederatedUserId'], '%s:fed-e2e' % e.ACCOUNT)

        fed_sts, fed_iam = e.client('sts', resp['Credentials']), e.client('iam', resp['Credentials'])
        ident = fed_sts.get_caller_identity()
        self.assertEqual(ident['Arn'], resp['FederatedUser']['Arn'])
        self.assertEqual(ident['UserId'], '%s:fed-e2e' % e.ACCOUNT)
        # Federation tokens call no IAM operation, whatever the policies allow (AWS: "You cannot
        # call any IAM operations using the AWS CLI or the AWS API"), and of STS only
        # GetCallerIdentity.
        err = self.assertAwsError('InvalidClientTokenId', fed_iam.list_users)
        self.assertEqual(err['Message'], 'The security token included in the request is invalid')
        err = self.assertAwsError('AccessDenied', fed_sts.get_session_token)
        self.assertEqual(err['Message'], 'Cannot call GetSessionToken with session credentials')


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
        creds = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='presign')['Credentials']
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
