"""The two examples of the project brief, run as a user would run them.

Roles `demo` and `my-role` are created first with a trust policy allowing the account (which
delegates to the caller's identity policy); the caller is an IAM user whose key is in the
environment, as on AWS, where the root user may not assume roles.
"""

import os
import tempfile
import unittest
from unittest import mock

import boto3

import iamd_e2e as e


class BriefExamples(e.TestCase):

    def test_boto3_assume_role(self):
        self.new_role(name='demo')

        # Verbatim from the brief: a default client, configured by the environment alone. A fresh
        # default session reads the environment again (boto3 caches the first one it made).
        boto3.DEFAULT_SESSION = None
        self.addCleanup(setattr, boto3, 'DEFAULT_SESSION', None)
        with mock.patch.dict(os.environ, e.operator_env()):
            sts = boto3.client('sts')
            creds = sts.assume_role(RoleArn='arn:aws:iam::123456789012:role/demo',
                                    RoleSessionName='session1')['Credentials']

        self.assertTrue(creds['AccessKeyId'].startswith('ASIA'), creds['AccessKeyId'])
        assumed = boto3.client('sts',
                               aws_access_key_id=creds['AccessKeyId'],
                               aws_secret_access_key=creds['SecretAccessKey'],
                               aws_session_token=creds['SessionToken'])
        ident = assumed.get_caller_identity()
        self.assertEqual(ident['Arn'], 'arn:aws:sts::123456789012:assumed-role/demo/session1')
        self.assertEqual(ident['Account'], '123456789012')
        self.assertRegex(ident['UserId'], r'^AROA[A-Z0-9]{17}:session1$')

    def test_aws_cli_assume_role(self):
        self.new_role(name='my-role')

        # The brief's shell session:
        #   aws sts assume-role --role-arn arn:aws:iam::123456789012:role/my-role --role-session-name s
        #   export AWS_ACCESS_KEY_ID=ASIA... AWS_SECRET_ACCESS_KEY=... AWS_SESSION_TOKEN=...
        #   aws sts get-caller-identity     # shows the assumed-role ARN
        # As written it cannot succeed, against AWS or us: RoleSessionName has a minimum length
        # of 2 in the STS model, and the aws CLI refuses "s" before sending anything.
        brief = ['sts', 'assume-role', '--role-arn', 'arn:aws:iam::123456789012:role/my-role',
                 '--role-session-name', 's']
        rc, out, err = e.aws_cli(*brief, env=e.operator_env())
        self.assertEqual(rc, 255, out)
        self.assertIn('Invalid length for parameter RoleSessionName, value: 1, valid min length: 2', err)

        # With the CLI's own checks off, the server must refuse it as AWS does.
        with tempfile.NamedTemporaryFile('w', suffix='.cfg') as cfg:
            cfg.write('[default]\nparameter_validation = false\n')
            cfg.flush()
            rc, out, err = e.aws_cli(*brief, env={'AWS_CONFIG_FILE': cfg.name, **e.operator_env()})
        self.assertNotEqual(rc, 0, out)
        self.assertIn('An error occurred (ValidationError) when calling the AssumeRole operation', err)
        self.assertIn("1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy "
                      'constraint: Member must have length greater than or equal to 2', err)

        # The session the brief meant, with a valid name.
        rc, out, err = e.aws_cli('sts', 'assume-role',
                                 '--role-arn', 'arn:aws:iam::123456789012:role/my-role',
                                 '--role-session-name', 's1', env=e.operator_env())
        self.assertEqual(rc, 0, err)
        c = out['Credentials']
        self.assertTrue(c['AccessKeyId'].startswith('ASIA'), c['AccessKeyId'])
        self.assertEqual(out['AssumedRoleUser']['Arn'],
                         'arn:aws:sts::123456789012:assumed-role/my-role/s1')

        rc, out, err = e.aws_cli('sts', 'get-caller-identity', env={
            'AWS_ACCESS_KEY_ID': c['AccessKeyId'],
            'AWS_SECRET_ACCESS_KEY': c['SecretAccessKey'],
            'AWS_SESSION_TOKEN': c['SessionToken'],
        })
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['Arn'], 'arn:aws:sts::123456789012:assumed-role/my-role/s1')


if __name__ == '__main__':
    unittest.main()
