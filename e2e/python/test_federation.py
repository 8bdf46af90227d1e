"""Web-identity and SAML federation through boto3, against iamd and its development IdP.

e2e/federation_test.go runs this module with the IdP it started (IAMD_E2E_IAMD, IAMD_E2E_IDP_KEY,
IAMD_E2E_IDP_ISSUER, IAMD_E2E_IDP_THUMBPRINT); the general suite, which has no IdP, skips it.
"""

import base64
import json
import os
import subprocess
import tempfile
import unittest

import boto3
import botocore.session

from iamd_e2e import ACCOUNT, CONFIG, REGION, TestCase, client, delete_role, unique

SAML_AUDIENCE = 'https://signin.aws.amazon.com/saml'


def idp_env():
    names = ('IAMD_E2E_IAMD', 'IAMD_E2E_IDP_KEY', 'IAMD_E2E_IDP_ISSUER', 'IAMD_E2E_IDP_THUMBPRINT')
    if not all(os.environ.get(n) for n in names):
        raise unittest.SkipTest('no development IdP (run through e2e/federation_test.go)')
    return {n: os.environ[n] for n in names}


def idp(*args):
    """Runs `iamd idp ARGS` with the suite's IdP key and issuer and returns stdout."""
    env = idp_env()
    out = subprocess.run([env['IAMD_E2E_IAMD'], 'idp', *args, '--key', env['IAMD_E2E_IDP_KEY'],
                          '--issuer', env['IAMD_E2E_IDP_ISSUER']],
                         capture_output=True, text=True, timeout=60, check=True)
    return out.stdout.strip()


def federated_trust(provider_arn, action, conditions=None):
    st = {'Effect': 'Allow', 'Principal': {'Federated': provider_arn}, 'Action': [action, 'sts:TagSession']}
    if conditions:
        st['Condition'] = conditions
    return json.dumps({'Version': '2012-10-17', 'Statement': [st]})


class WebIdentity(TestCase):

    @classmethod
    def setUpClass(cls):
        env = idp_env()
        super().setUpClass()
        cls.issuer = env['IAMD_E2E_IDP_ISSUER']
        cls.host = cls.issuer[len('https://'):]
        arn = 'arn:aws:iam::%s:oidc-provider/%s' % (ACCOUNT, cls.host)
        try:
            cls.iam.create_open_id_connect_provider(
                Url=cls.issuer, ClientIDList=['sts.amazonaws.com'],
                ThumbprintList=[env['IAMD_E2E_IDP_THUMBPRINT']])
        except cls.iam.exceptions.EntityAlreadyExistsException:
            pass  # e2e/federation_test.go registered the same issuer
        cls.provider_arn = arn
        cls.role_name = unique('e2e-web')
        cls.role_arn = cls.iam.create_role(
            RoleName=cls.role_name,
            AssumeRolePolicyDocument=federated_trust(arn, 'sts:AssumeRoleWithWebIdentity', {
                'StringEquals': {cls.host + ':aud': 'sts.amazonaws.com', cls.host + ':sub': 'alice'}}))['Role']['Arn']
        # Unsigned calls: boto3 sends AssumeRoleWithWebIdentity without credentials.
        cls.anon = boto3.client('sts', region_name=REGION, config=CONFIG,
                                aws_access_key_id='', aws_secret_access_key='')

    @classmethod
    def tearDownClass(cls):
        delete_role(cls.iam, cls.role_name)

    def test_assume_role_with_web_identity(self):
        token = idp('token', '--sub', 'alice', '--tag', 'team=blue')
        out = self.anon.assume_role_with_web_identity(
            RoleArn=self.role_arn, RoleSessionName='alice-session', WebIdentityToken=token)
        self.assertEqual(out['SubjectFromWebIdentityToken'], 'alice')
        self.assertEqual(out['Provider'], self.provider_arn)
        self.assertEqual(out['Audience'], 'sts.amazonaws.com')
        self.assertIn('PackedPolicySize', out)  # the session carries the token's tag
        who = client('sts', out['Credentials']).get_caller_identity()
        self.assertEqual(who['Arn'], 'arn:aws:sts::%s:assumed-role/%s/alice-session' % (ACCOUNT, self.role_name))

    def test_web_identity_token_file_provider(self):
        # What EKS (IRSA) and CI systems do: a token file and a role in the environment.
        with tempfile.NamedTemporaryFile('w', suffix='.jwt', delete=False) as f:
            f.write(idp('token', '--sub', 'alice'))
        self.addCleanup(os.remove, f.name)
        saved = {k: os.environ.get(k) for k in (
            'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME',
            'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY')}

        def restore():
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        self.addCleanup(restore)
        os.environ.pop('AWS_ACCESS_KEY_ID')
        os.environ.pop('AWS_SECRET_ACCESS_KEY')
        os.environ.update(AWS_WEB_IDENTITY_TOKEN_FILE=f.name, AWS_ROLE_ARN=self.role_arn,
                          AWS_ROLE_SESSION_NAME='from-file')
        session = boto3.Session(botocore_session=botocore.session.Session(), region_name=REGION)
        who = session.client('sts', config=CONFIG).get_caller_identity()
        self.assertEqual(who['Arn'], 'arn:aws:sts::%s:assumed-role/%s/from-file' % (ACCOUNT, self.role_name))

    def test_refusals(self):
        cases = [
            ('AccessDenied', idp('token', '--sub', 'mallory')),
            ('InvalidIdentityToken', idp('token', '--sub', 'alice', '--aud', 'someone-else')),
            ('ExpiredTokenException', idp('token', '--sub', 'alice', '--ttl=-1m')),
            ('InvalidIdentityToken', 'eyJhbGciOiJub25lIn0.' + base64.urlsafe_b64encode(json.dumps(
                {'iss': self.issuer, 'sub': 'alice', 'aud': 'sts.amazonaws.com', 'exp': 4102444800}).encode()).decode().rstrip('=') + '.'),
        ]
        for code, token in cases:
            with self.subTest(code=code, token=token[:24]):
                self.assertAwsError(code, self.anon.assume_role_with_web_identity,
                                    RoleArn=self.role_arn, RoleSessionName='s1', WebIdentityToken=token)


class SAML(TestCase):

    @classmethod
    def setUpClass(cls):
        idp_env()
        super().setUpClass()
        cls.provider_name = unique('e2e-idp')
        cls.provider_arn = cls.iam.create_saml_provider(
            Name=cls.provider_name, SAMLMetadataDocument=idp('metadata'))['SAMLProviderArn']
        cls.role_name = unique('e2e-saml')
        cls.role_arn = cls.iam.create_role(
            RoleName=cls.role_name,
            AssumeRolePolicyDocument=federated_trust(cls.provider_arn, 'sts:AssumeRoleWithSAML', {
                'StringEquals': {'saml:aud': SAML_AUDIENCE}}))['Role']['Arn']
        cls.anon = boto3.client('sts', region_name=REGION, config=CONFIG,
                                aws_access_key_id='', aws_secret_access_key='')

    @classmethod
    def tearDownClass(cls):
        delete_role(cls.iam, cls.role_name)
        cls.iam.delete_saml_provider(SAMLProviderArn=cls.provider_arn)

    def assertion(self, *extra):
        return idp('saml', '--role', self.role_arn, '--provider', self.provider_arn,
                   '--name-id', 'alice', '--session-name', 'alice', *extra)

    def test_assume_role_with_saml(self):
        out = self.anon.assume_role_with_saml(RoleArn=self.role_arn, PrincipalArn=self.provider_arn,
                                              SAMLAssertion=self.assertion('--tag', 'dept=eng'))
        self.assertEqual(out['Subject'], 'alice')
        self.assertEqual(out['SubjectType'], 'persistent')
        self.assertEqual(out['Audience'], SAML_AUDIENCE)
        who = client('sts', out['Credentials']).get_caller_identity()
        self.assertEqual(who['Arn'], 'arn:aws:sts::%s:assumed-role/%s/alice' % (ACCOUNT, self.role_name))

    def test_replayed_assertion(self):
        a = self.assertion()
        self.anon.assume_role_with_saml(RoleArn=self.role_arn, PrincipalArn=self.provider_arn, SAMLAssertion=a)
        self.assertAwsError('InvalidIdentityToken', self.anon.assume_role_with_saml,
                            RoleArn=self.role_arn, PrincipalArn=self.provider_arn, SAMLAssertion=a)

    def test_tampered_assertion(self):
        xml = base64.b64decode(self.assertion()).decode()
        forged = base64.b64encode(xml.replace('>alice<', '>admin<', 1).encode()).decode()
        self.assertAwsError('InvalidIdentityToken', self.anon.assume_role_with_saml,
                            RoleArn=self.role_arn, PrincipalArn=self.provider_arn, SAMLAssertion=forged)

    def test_wrong_recipient(self):
        self.assertAwsError('InvalidIdentityToken', self.anon.assume_role_with_saml,
                            RoleArn=self.role_arn, PrincipalArn=self.provider_arn,
                            SAMLAssertion=self.assertion('--recipient', 'https://sp.example/acs'))


if __name__ == '__main__':
    unittest.main()
