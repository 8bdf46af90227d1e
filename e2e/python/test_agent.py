"""boto3 against `iamd agent`: instance-role credentials with no AWS credentials configured.

Run by e2e/agent_test.go, which starts iamd and an enrolled agent and sets IAMD_E2E_AGENT;
skipped in the general suite, which has no agent.
"""
import os
import subprocess
import unittest

import boto3
import botocore.exceptions
import botocore.session

AGENT = os.environ.get('IAMD_E2E_AGENT', '')


def session_with(env):
    """A boto3 session built with only env added to the environment (no credentials in it)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        s = boto3.session.Session()
        creds = s.get_credentials()
        if creds is not None:
            creds = creds.get_frozen_credentials()
        return s, creds
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@unittest.skipUnless(AGENT, 'needs an iamd agent (run by e2e/agent_test.go)')
class AgentTest(unittest.TestCase):
    def check(self, env, method):
        s, creds = session_with(env)
        self.assertIsNotNone(creds, 'no credentials found')
        self.assertEqual(s.get_credentials().method, method)
        self.assertTrue(creds.access_key.startswith('ASIA'))
        sts = s.client('sts')
        self.assertEqual(sts.get_caller_identity()['Arn'], os.environ['IAMD_E2E_INSTANCE_ARN'])
        iam = s.client('iam')
        iam.list_roles()
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            iam.list_users()
        self.assertEqual(cm.exception.response['Error']['Code'], 'AccessDenied')

    def test_imds(self):
        self.check({'AWS_EC2_METADATA_SERVICE_ENDPOINT': AGENT}, 'iam-role')

    def test_container(self):
        self.check({
            'AWS_CONTAINER_CREDENTIALS_FULL_URI': AGENT + '/container/credentials',
            'AWS_CONTAINER_AUTHORIZATION_TOKEN': os.environ['IAMD_E2E_AGENT_TOKEN'],
        }, 'container-role')

    def test_credential_process(self):
        self.check({'AWS_CONFIG_FILE': os.environ['IAMD_E2E_PROCESS_CONFIG'], 'AWS_PROFILE': 'app'},
                   'custom-process')

    def test_imds_token_rules(self):
        import urllib.request
        import urllib.error

        def put(headers):
            req = urllib.request.Request(AGENT + '/latest/api/token', method='PUT', headers=headers)
            try:
                with urllib.request.urlopen(req) as r:
                    return r.status, r.headers.get('X-Aws-Ec2-Metadata-Token-Ttl-Seconds')
            except urllib.error.HTTPError as e:
                return e.code, None

        self.assertEqual(put({'X-aws-ec2-metadata-token-ttl-seconds': '21600'}), (200, '21600'))
        self.assertEqual(put({})[0], 400)
        self.assertEqual(put({'X-aws-ec2-metadata-token-ttl-seconds': '21601'})[0], 400)
        self.assertEqual(put({'X-aws-ec2-metadata-token-ttl-seconds': '60', 'X-Forwarded-For': '10.0.0.1'})[0], 403)
        req = urllib.request.Request(AGENT + '/latest/meta-data/iam/security-credentials/')
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req)
        self.assertEqual(cm.exception.code, 401)


if __name__ == '__main__':
    unittest.main()
