"""Shared helpers for the iamd real-client suite: clients, unique names, cleanup, the aws CLI.

The suite talks to whatever AWS_ENDPOINT_URL names, with the root key of account 123456789012 in
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (e2e/clients_test.go sets all of that up). Without an
endpoint it skips rather than reach real AWS.
"""

import json
import os
import subprocess
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
from botocore.exceptions import ClientError

ACCOUNT = '123456789012'
ROOT_ARN = 'arn:aws:iam::%s:root' % ACCOUNT
REGION = 'us-east-1'
CLI_TIMEOUT = 60
HTTP_TIMEOUT = 15

# No retries: an error must reach the assertion exactly as the server sent it.
CONFIG = botocore.config.Config(
    retries={'total_max_attempts': 1, 'mode': 'standard'},
    connect_timeout=5,
    read_timeout=HTTP_TIMEOUT,
)


def endpoint():
    url = os.environ.get('AWS_ENDPOINT_URL', '')
    if not url:
        raise unittest.SkipTest('AWS_ENDPOINT_URL is not set: refusing to run against real AWS')
    return url


def unique(prefix):
    """A name no other test (or earlier run) uses."""
    return '%s-%s' % (prefix, uuid.uuid4().hex[:12])


def client(service, creds=None):
    """A boto3 client for service; creds is an STS Credentials dict or (key id, secret)."""
    kw = {}
    if isinstance(creds, dict):
        kw = dict(aws_access_key_id=creds['AccessKeyId'],
                  aws_secret_access_key=creds['SecretAccessKey'],
                  aws_session_token=creds.get('SessionToken'))
    elif creds is not None:
        kw = dict(aws_access_key_id=creds[0], aws_secret_access_key=creds[1])
    return boto3.client(service, region_name=REGION, config=CONFIG, **kw)


def doc(*statements):
    return json.dumps({'Version': '2012-10-17', 'Statement': list(statements)})


def allow(actions, resource='*'):
    return {'Effect': 'Allow', 'Action': actions, 'Resource': resource}


def trust(principal_arn, action='sts:AssumeRole'):
    return doc({'Effect': 'Allow', 'Principal': {'AWS': principal_arn}, 'Action': action})


def aws_cli(*args, env=None):
    """Runs `aws ARGS --output json` and returns (exit status, parsed stdout or None, stderr)."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.run(['aws', *args, '--output', 'json'], env=full_env, capture_output=True,
                       text=True, timeout=CLI_TIMEOUT)
    out = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, out, p.stderr


def signed_request(service, params, creds=None):
    """POSTs a SigV4-signed Query request with exactly params; returns (HTTP status, body).

    For calls boto3 cannot make, e.g. an action no model has. creds is (key id, secret) or None
    for the environment's credentials.
    """
    if creds is not None:
        creds = botocore.credentials.Credentials(*creds)
    else:
        s = boto3.session.Session()
        c = s.get_credentials().get_frozen_credentials()
        creds = botocore.credentials.Credentials(c.access_key, c.secret_key, c.token)
    body = urllib.parse.urlencode(params)
    req = botocore.awsrequest.AWSRequest(
        method='POST', url=endpoint() + '/', data=body,
        headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
    botocore.auth.SigV4Auth(creds, service, REGION).add_auth(req)
    prepared = req.prepare()
    return http(urllib.request.Request(prepared.url, data=body.encode(), method='POST',
                                       headers=dict(prepared.headers.items())))


def http(req):
    """Sends a urllib request; returns (status, body) for errors too."""
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def delete_user(iam, name):
    """Deletes a user and what hangs on it; a user already gone is fine."""
    try:
        for k in iam.list_access_keys(UserName=name)['AccessKeyMetadata']:
            iam.delete_access_key(UserName=name, AccessKeyId=k['AccessKeyId'])
        for p in iam.list_user_policies(UserName=name)['PolicyNames']:
            iam.delete_user_policy(UserName=name, PolicyName=p)
        for p in iam.list_attached_user_policies(UserName=name)['AttachedPolicies']:
            iam.detach_user_policy(UserName=name, PolicyArn=p['PolicyArn'])
        for g in iam.list_groups_for_user(UserName=name)['Groups']:
            iam.remove_user_from_group(GroupName=g['GroupName'], UserName=name)
        iam.delete_user(UserName=name)
    except ClientError as e:
        if e.response['Error']['Code'] != 'NoSuchEntity':
            raise


def delete_group(iam, name):
    """Deletes a group after removing its members and policies; a group already gone is fine."""
    try:
        for u in iam.get_group(GroupName=name)['Users']:
            iam.remove_user_from_group(GroupName=name, UserName=u['UserName'])
        for p in iam.list_group_policies(GroupName=name)['PolicyNames']:
            iam.delete_group_policy(GroupName=name, PolicyName=p)
        for p in iam.list_attached_group_policies(GroupName=name)['AttachedPolicies']:
            iam.detach_group_policy(GroupName=name, PolicyArn=p['PolicyArn'])
        iam.delete_group(GroupName=name)
    except ClientError as e:
        if e.response['Error']['Code'] != 'NoSuchEntity':
            raise


def delete_role(iam, name):
    """Deletes a role and its inline and attached policies; a role already gone is fine."""
    try:
        for p in iam.list_role_policies(RoleName=name)['PolicyNames']:
            iam.delete_role_policy(RoleName=name, PolicyName=p)
        for p in iam.list_attached_role_policies(RoleName=name)['AttachedPolicies']:
            iam.detach_role_policy(RoleName=name, PolicyArn=p['PolicyArn'])
        iam.delete_role(RoleName=name)
    except ClientError as e:
        if e.response['Error']['Code'] != 'NoSuchEntity':
            raise


def delete_policy(iam, arn):
    try:
        iam.delete_policy(PolicyArn=arn)
    except ClientError as e:
        if e.response['Error']['Code'] != 'NoSuchEntity':
            raise


_operator = None


def operator_key():
    """(key id, secret) of an IAM user allowed to assume roles, created once per run.

    AWS refuses role sessions to the root user ("Roles may not be assumed by root accounts."), so
    the suite assumes roles as an IAM user, as AWS users do.
    """
    global _operator
    if _operator is None:
        iam = client('iam')
        name = unique('e2e-operator')
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName='assume-roles', PolicyDocument=doc(
            allow(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'])))
        ak = iam.create_access_key(UserName=name)['AccessKey']
        _operator = (ak['AccessKeyId'], ak['SecretAccessKey'])
        global _operator_arn
        _operator_arn = iam.get_user(UserName=name)['User']['Arn']
    return _operator


_operator_arn = None


def operator_arn():
    """The ARN of the operator user (operator_key)."""
    operator_key()
    return _operator_arn


def operator_env():
    """The environment variables that make the operator the default credentials."""
    key_id, secret = operator_key()
    return {'AWS_ACCESS_KEY_ID': key_id, 'AWS_SECRET_ACCESS_KEY': secret}


class TestCase(unittest.TestCase):
    """Root-user IAM and STS clients, an STS client of an IAM user that may assume roles
    (`assumer`), and helpers that clean up after the test."""

    maxDiff = None  # AWS messages are long; a failure must show all of both

    @classmethod
    def setUpClass(cls):
        endpoint()
        cls.iam = client('iam')
        cls.sts = client('sts')
        cls.assumer = client('sts', operator_key())

    def assertAwsError(self, code, fn, *args, **kwargs):
        """Calls fn and requires it to fail with the AWS error code; returns the error dict."""
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception.response['Error']
        self.assertEqual(err['Code'], code, err)
        return err

    def new_user(self, prefix='e2e-user', key=False, path='/'):
        """Creates a user deleted after the test; with key=True also returns (key id, secret)."""
        name = unique(prefix)
        user = self.iam.create_user(UserName=name, Path=path)['User']
        self.addCleanup(delete_user, self.iam, name)
        if not key:
            return user
        ak = self.iam.create_access_key(UserName=name)['AccessKey']
        return user, (ak['AccessKeyId'], ak['SecretAccessKey'])

    def new_role(self, prefix='e2e-role', trust_policy=None, name=None, **kw):
        """Creates a role (trusting the account root unless told) deleted after the test."""
        name = name or unique(prefix)
        role = self.iam.create_role(RoleName=name,
                                    AssumeRolePolicyDocument=trust_policy or trust(ROOT_ARN), **kw)
        self.addCleanup(delete_role, self.iam, name)
        return role['Role']
