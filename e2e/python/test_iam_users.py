"""Users and access keys through boto3 and the aws CLI, and AWS's wire-level errors."""

import os
import re
import unittest

import iamd_e2e as e


class Users(e.TestCase):

    def test_create_get_user(self):
        user = self.new_user(path='/e2e/')
        name = user['UserName']
        self.assertEqual(user['Arn'], 'arn:aws:iam::%s:user/e2e/%s' % (e.ACCOUNT, name))
        self.assertRegex(user['UserId'], r'^AIDA[A-Z0-9]{17}$')
        self.assertEqual(user['Path'], '/e2e/')

        got = self.iam.get_user(UserName=name)['User']
        for field in ('UserName', 'UserId', 'Arn', 'Path', 'CreateDate'):
            self.assertEqual(got[field], user[field], field)

        self.assertAwsError('EntityAlreadyExists', self.iam.create_user, UserName=name)
        # Names are unique regardless of case.
        self.assertAwsError('EntityAlreadyExists', self.iam.create_user, UserName=name.upper())

    def test_get_missing_user(self):
        name = e.unique('e2e-nobody')
        err = self.assertAwsError('NoSuchEntity', self.iam.get_user, UserName=name)
        self.assertEqual(err['Message'], 'The user with name %s cannot be found.' % name)

    def test_list_users_paginated(self):
        path = '/%s/' % e.unique('e2e-page')
        names = sorted(self.new_user(prefix='e2e-page', path=path)['UserName'] for _ in range(5))

        pages = list(self.iam.get_paginator('list_users').paginate(
            PathPrefix=path, PaginationConfig={'PageSize': 2}))
        self.assertEqual([len(p['Users']) for p in pages], [2, 2, 1])
        self.assertEqual([p['IsTruncated'] for p in pages], [True, True, False])
        listed = [u['UserName'] for p in pages for u in p['Users']]
        self.assertEqual(sorted(listed), names)
        self.assertEqual(len(set(listed)), len(listed), 'a user listed twice')

    def test_aws_cli_create_list_delete(self):
        name = e.unique('e2e-cli')
        rc, out, err = e.aws_cli('iam', 'create-user', '--user-name', name)
        self.assertEqual(rc, 0, err)
        self.addCleanup(e.delete_user, self.iam, name)
        self.assertEqual(out['User']['UserName'], name)

        rc, out, err = e.aws_cli('iam', 'list-users')
        self.assertEqual(rc, 0, err)
        self.assertIn(name, [u['UserName'] for u in out['Users']])

        rc, out, err = e.aws_cli('iam', 'delete-user', '--user-name', name)
        self.assertEqual(rc, 0, err)
        rc, out, err = e.aws_cli('iam', 'get-user', '--user-name', name)
        self.assertNotEqual(rc, 0)
        self.assertIn('NoSuchEntity', err)

    def test_delete_user_with_key_conflicts(self):
        user, (key_id, _) = self.new_user(key=True)
        name = user['UserName']
        err = self.assertAwsError('DeleteConflict', self.iam.delete_user, UserName=name)
        self.assertEqual(err['Message'], 'Cannot delete entity, must delete access keys first.')

        self.iam.delete_access_key(UserName=name, AccessKeyId=key_id)
        self.iam.delete_user(UserName=name)
        self.assertAwsError('NoSuchEntity', self.iam.get_user, UserName=name)

    def test_access_key_lifecycle(self):
        user, (key_id, secret) = self.new_user(key=True)
        name = user['UserName']
        self.assertRegex(key_id, r'^AKIA[A-Z0-9]{16}$')
        self.assertEqual(len(secret), 40)

        keys = self.iam.list_access_keys(UserName=name)['AccessKeyMetadata']
        self.assertEqual([(k['AccessKeyId'], k['Status']) for k in keys], [(key_id, 'Active')])
        self.assertNotIn('SecretAccessKey', keys[0])

        as_user = e.client('sts', (key_id, secret))
        ident = as_user.get_caller_identity()
        self.assertEqual(ident['Arn'], user['Arn'])
        self.assertEqual(ident['UserId'], user['UserId'])

        self.iam.update_access_key(UserName=name, AccessKeyId=key_id, Status='Inactive')
        err = self.assertAwsError('InvalidClientTokenId', as_user.get_caller_identity)
        self.assertEqual(err['Message'], 'The security token included in the request is invalid.')

        self.iam.update_access_key(UserName=name, AccessKeyId=key_id, Status='Active')
        self.assertEqual(as_user.get_caller_identity()['Arn'], user['Arn'])

    def test_access_key_quota(self):
        user, _ = self.new_user(key=True)
        self.iam.create_access_key(UserName=user['UserName'])
        self.assertAwsError('LimitExceeded', self.iam.create_access_key, UserName=user['UserName'])


class WireErrors(e.TestCase):

    def test_validation_error_text(self):
        err = self.assertAwsError('ValidationError', self.iam.create_user, UserName='a b')
        self.assertEqual(
            err['Message'],
            'The specified value for userName is invalid. It must contain only alphanumeric characters '
            'and/or the following: +=,.@_-')

    def test_unknown_action(self):
        for service, version in (('iam', '2010-05-08'), ('sts', '2011-06-15')):
            with self.subTest(service=service):
                status, body = e.signed_request(service, {'Action': 'NoSuchAction', 'Version': version})
                self.assertEqual(status, 400, body)
                self.assertEqual(re.search(r'<Code>([^<]*)</Code>', body).group(1), 'InvalidAction', body)
                self.assertIn('xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"', body)

    def test_wrong_secret(self):
        ident = self.sts.get_caller_identity()
        bad = e.client('sts', (os.environ['AWS_ACCESS_KEY_ID'], 'x' * 40))
        self.assertEqual(ident['Arn'], e.ROOT_ARN)
        self.assertAwsError('SignatureDoesNotMatch', bad.get_caller_identity)

    def test_any_signing_region(self):
        # With a custom endpoint, SDKs sign with whatever region they are configured for.
        for region in ('eu-west-1', 'ap-southeast-2'):
            with self.subTest(region=region):
                c = e.boto3.client('sts', region_name=region, config=e.CONFIG)
                self.assertEqual(c.get_caller_identity()['Arn'], e.ROOT_ARN)

    def test_unknown_key(self):
        bad = e.client('sts', ('AKIAZZZZZZZZZZZZZZZZ', 'x' * 40))
        err = self.assertAwsError('InvalidClientTokenId', bad.get_caller_identity)
        self.assertEqual(err['Message'], 'The security token included in the request is invalid.')


if __name__ == '__main__':
    unittest.main()
