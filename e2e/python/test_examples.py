"""Every example of the IAM and STS API models (botocore's examples-1.json), run against iamd.

AWS documents one request and its answer for most operations. Each example's input is sent as
documented, with only what has to be real made real: names get a unique suffix (the suite shares
one account), things the request refers to are created first (a user for UserName, an OIDC
provider for its ARN, a certificate AWS could parse), and ids AWS generated are replaced by the
ones iamd generated. The answer is then compared with the documented output by shape: the same
members present and absent at every level, the same types, and identifiers, ARNs and dates in
AWS's formats. Values are sample data and are not compared, except where they are fixed by the
request (names, paths) or by AWS (quotas, enumerations).

Where the documented output is known to be incomplete or sample-only, KNOWN says why.
"""

import copy
import datetime
import json
import os
import re
import subprocess
import tempfile
import unittest

import botocore
from botocore.exceptions import ClientError

from iamd_e2e import ACCOUNT, client, doc, allow, unique, endpoint

DATA = os.path.join(os.path.dirname(botocore.__file__), 'data')

# Members a documented output leaves out although AWS sends them, or lists although AWS sends
# them only in some states. Keyed by operation, then by a path in the output; each with the reason.
KNOWN = {
    # RoleLastUsed's members appear only once the role has been used: a fresh role has none.
    'GetRole': {'Role.RoleLastUsed.LastUsedDate': 'fresh role: never used',
                'Role.RoleLastUsed.Region': 'fresh role: never used'},
    # The example shows two users who signed in; a user without a password has no PasswordLastUsed.
    'ListUsers': {'Users[].PasswordLastUsed': 'sample users signed in; ours did not'},
    # Organizations reports need an organization and a management account.
    'GetOrganizationsAccessReport': {'*': 'needs an organization'},
    # The job's services depend on the account's use; ours has used IAM only.
    'GetServiceLastAccessedDetails': {'JobType': 'added to AWS after the example',
                                      'ServicesLastAccessed[].LastAuthenticated': 'depends on use',
                                      'ServicesLastAccessed[].LastAuthenticatedEntity': 'depends on use'},
    'GetServiceLastAccessedDetailsWithEntities': {'EntityDetailsList[].LastAuthenticated': 'depends on use'},
    # SAML and web identity answers name what the identity provider asserted: sample values.
    'AssumeRoleWithSAML': {'*': 'needs a SAML IdP'},
    'AssumeRoleWithWebIdentity': {'*': 'needs an OIDC IdP'},
    'DecodeAuthorizationMessage': {'*': 'needs a message AWS encoded'},
    # The example predates members AWS has added since: the role and instance-profile counts and
    # quotas, OIDC/SAML providers, the trust and role policy size quotas, AccountPasswordPresent.
    'GetAccountSummary': {'SummaryMap.' + k: 'added to AWS after the example' for k in (
        'AccountPasswordPresent', 'AssumeRolePolicySizeQuota', 'InstanceProfiles',
        'InstanceProfilesQuota', 'Providers', 'RolePolicySizeQuota', 'Roles', 'RolesQuota')},
    # GetInstanceProfile sends an empty <Tags/>, and GetLoginProfile PasswordResetRequired, as
    # AWS does today.
    'GetInstanceProfile': {'InstanceProfile.Tags': 'AWS sends an empty list'},
    'GetLoginProfile': {'LoginProfile.PasswordResetRequired': 'AWS sends false too'},
    # The Organizations report needs an organization; the account has none, and AWS answers so.
    'GenerateOrganizationsAccessReport': {'*': 'needs an organization'},
}
# AWS sends IsTruncated in every paginated list answer, false on the last page; the examples
# leave it out of some.
for _op in ('ListAccessKeys', 'ListAccountAliases', 'ListGroupPolicies', 'ListGroupsForUser',
            'ListGroups', 'ListSigningCertificates', 'ListUsers', 'ListVirtualMFADevices'):
    KNOWN.setdefault(_op, {})['IsTruncated'] = 'AWS sends false on the last page'

ID_PREFIXES = {
    'UserId': 'AIDA', 'RoleId': 'AROA', 'GroupId': 'AGPA', 'InstanceProfileId': 'AIPA',
    'ServerCertificateId': 'ASCA', 'PolicyId': 'ANPA',
}


def load(service, version):
    with open(os.path.join(DATA, service, version, 'examples-1.json')) as f:
        return json.load(f)['examples']


def snake(op):
    return re.sub(r'(?<!^)(?=[A-Z])', '_', op).lower().replace('_i_d', '_id').replace(
        'open_i_d_connect', 'open_id_connect').replace('s_a_m_l', 'saml').replace('m_f_a', 'mfa')


def self_signed():
    """A certificate and its key, as PEM strings (openssl, which the CLI suite has too)."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30',
                        '-subj', '/CN=example.com', '-keyout', d + '/k', '-out', d + '/c'],
                       check=True, capture_output=True)
        with open(d + '/c') as c, open(d + '/k') as k:
            return c.read(), k.read()


def shape_diff(want, got, path=''):
    """Differences of shape between a documented output and an answer, as 'path: what' lines."""
    out = []
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return ['%s: want a structure, got %r' % (path or '.', type(got).__name__)]
        for k in want:
            p = (path + '.' + k) if path else k
            if k not in got:
                out.append('%s: missing' % p)
            else:
                out += shape_diff(want[k], got[k], p)
        for k in got:
            if k not in want and k != 'ResponseMetadata':
                out.append('%s: not documented' % ((path + '.' + k) if path else k))
        return out
    if isinstance(want, list):
        if not isinstance(got, list):
            return ['%s: want a list, got %r' % (path, type(got).__name__)]
        if want and got and isinstance(want[0], dict):
            # Members present in every documented element must be in ours; members in none of
            # them must not.
            every = set.intersection(*(set(w) for w in want))
            some = set.union(*(set(w) for w in want))
            for g in got:
                for k in sorted(every - set(g)):
                    out.append('%s[].%s: missing' % (path, k))
                for k in sorted(set(g) - some):
                    out.append('%s[].%s: not documented' % (path, k))
                merged = {}
                for w in want:
                    for k, v in w.items():
                        # Nested lists: every documented element counts, as above.
                        if isinstance(v, list) and isinstance(merged.get(k), list):
                            merged[k] = merged[k] + v
                        else:
                            merged[k] = v
                out += shape_diff({k: v for k, v in merged.items() if k in g},
                                  {k: v for k, v in g.items() if k in merged}, path + '[]')
            return sorted(set(out))
        if want and not got:
            out.append('%s: empty' % path)
        return out
    if isinstance(want, bool) or isinstance(got, bool):
        if type(want) is not type(got):
            out.append('%s: want %s, got %r' % (path, type(want).__name__, got))
        return out
    if isinstance(want, int):
        if not isinstance(got, int):
            out.append('%s: want an integer, got %r' % (path, got))
        return out
    if isinstance(want, str):
        if re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$', want):
            if not isinstance(got, datetime.datetime):
                out.append('%s: want a date, got %r' % (path, got))
            return out
        if want in ('<URL-encoded-JSON>', '<Stringified-JSON>'):
            # A policy document: boto3 decodes it into a structure.
            if not isinstance(got, dict):
                out.append('%s: want a policy document, got %r' % (path, got))
            return out
        if not isinstance(got, str):
            out.append('%s: want a string, got %r' % (path, got))
            return out
        leaf = path.rsplit('.', 1)[-1].rstrip('[]')
        if leaf == 'UserId' and ':' in want:
            # A session's caller: a role's id and the session name, or the account and a name.
            if not re.match(r'^(AROA[A-Z0-9]{17}|\d{12}):[\w+=,.@-]+$', got):
                out.append('%s: %r is not a session\'s user id' % (path, got))
            return out
        if leaf in ID_PREFIXES and not re.match('^%s[A-Z0-9]{17}$' % ID_PREFIXES[leaf], got):
            out.append('%s: %r is not an id of AWS\'s form' % (path, got))
        if want.startswith('arn:') and not got.startswith('arn:aws:'):
            out.append('%s: %r is not an ARN' % (path, got))
        if want.startswith('arn:'):
            w = want.split(':')
            g = got.split(':')
            if w[2] != g[2] or len(w) != len(g):
                out.append('%s: %r not of the form of %r' % (path, got, want))
        return out
    return out


def ex_arn(ex):
    return (ex.get('output') or {}).get('Arn', '')


def allowed(op, diffs):
    known = KNOWN.get(op, {})
    if '*' in known:
        return []
    return [d for d in diffs if d.split(':')[0] not in known]


class Examples(unittest.TestCase):
    """Runs each example; a failure lists every difference of every example."""

    @classmethod
    def setUpClass(cls):
        endpoint()
        cls.iam = client('iam')
        cls.sts = client('sts')

    # Names in the examples that the suite makes unique.
    NAME_KEYS = ('UserName', 'RoleName', 'GroupName', 'InstanceProfileName', 'NewUserName',
                 'NewGroupName', 'ServerCertificateName')

    def prepare(self, op, inp):
        """Makes the example's references real; returns the input to send."""
        iam = self.iam
        inp = copy.deepcopy(inp or {})
        sfx = unique('x')[2:8]
        for k in self.NAME_KEYS:
            if k in inp:
                inp[k] = inp[k] + sfx
        trust = doc({'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'},
                     'Action': 'sts:AssumeRole'})
        if 'UserName' in inp and not (op == 'CreateUser'):
            iam.create_user(UserName=inp['UserName'])
        if 'GroupName' in inp and op != 'CreateGroup':
            iam.create_group(GroupName=inp['GroupName'])
        if 'RoleName' in inp and op != 'CreateRole':
            iam.create_role(RoleName=inp['RoleName'], AssumeRolePolicyDocument=trust)
        if 'InstanceProfileName' in inp and op != 'CreateInstanceProfile':
            iam.create_instance_profile(InstanceProfileName=inp['InstanceProfileName'])
        if op == 'CreateRole':
            inp['AssumeRolePolicyDocument'] = trust
        if op == 'RemoveUserFromGroup':
            iam.add_user_to_group(GroupName=inp['GroupName'], UserName=inp['UserName'])
        if op == 'RemoveRoleFromInstanceProfile':
            iam.add_role_to_instance_profile(InstanceProfileName=inp['InstanceProfileName'],
                                             RoleName=inp['RoleName'])
        if op == 'GetInstanceProfile':
            role = 'Test-Role' + sfx
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
            iam.add_role_to_instance_profile(InstanceProfileName=inp['InstanceProfileName'],
                                             RoleName=role)
        if op in ('AddClientIDToOpenIDConnectProvider',):
            url = 'https://server%s.example.com' % sfx
            inp['OpenIDConnectProviderArn'] = iam.create_open_id_connect_provider(
                Url=url, ThumbprintList=['3768084dfb3d2b68b7897bf5f565da8ef0123456'])[
                    'OpenIDConnectProviderArn']
        if op == 'CreateOpenIDConnectProvider':
            inp['Url'] = 'https://server%s.example.com' % sfx
            # The example's thumbprint ends in EXAMPLE: a SHA-1 fingerprint is 40 hex digits.
            inp['ThumbprintList'] = ['3768084dfb3d2b68b7897bf5f565da8ef0123456']
        if op == 'ChangePassword':
            # A user changes their own password: the example's call is made with a user's key.
            user = 'Bob' + sfx
            iam.create_user(UserName=user)
            iam.create_login_profile(UserName=user, Password=inp['OldPassword'])
            iam.put_user_policy(UserName=user, PolicyName='p',
                                PolicyDocument=doc(allow('iam:ChangePassword')))
            ak = iam.create_access_key(UserName=user)['AccessKey']
            return client('iam', (ak['AccessKeyId'], ak['SecretAccessKey'])), inp
        if op in ('DeleteAccessKey', 'UpdateAccessKey'):
            inp['AccessKeyId'] = iam.create_access_key(
                UserName=inp['UserName'])['AccessKey']['AccessKeyId']
        if op == 'ListAccessKeys':
            iam.create_access_key(UserName=inp['UserName'])
            iam.create_access_key(UserName=inp['UserName'])
        if op in ('DeleteSigningCertificate', 'UpdateSigningCertificate', 'ListSigningCertificates',
                  'UploadSigningCertificate'):
            cert, _ = self_signed()
            if op == 'UploadSigningCertificate':
                inp['CertificateBody'] = cert
            else:
                cid = iam.upload_signing_certificate(UserName=inp['UserName'], CertificateBody=cert)[
                    'Certificate']['CertificateId']
                if 'CertificateId' in inp:
                    inp['CertificateId'] = cid
        if op == 'UploadServerCertificate':
            inp['CertificateBody'], inp['PrivateKey'] = self_signed()
        if op == 'CreateAccountAlias' or op == 'DeleteAccountAlias':
            for a in iam.list_account_aliases()['AccountAliases']:
                iam.delete_account_alias(AccountAlias=a)
            inp['AccountAlias'] = 'examplecorp-' + sfx
            if op == 'DeleteAccountAlias':
                iam.create_account_alias(AccountAlias=inp['AccountAlias'])
        if op == 'ListAccountAliases':
            for a in iam.list_account_aliases()['AccountAliases']:
                iam.delete_account_alias(AccountAlias=a)
            iam.create_account_alias(AccountAlias='examplecorp-' + sfx)
        if op == 'DeleteAccountPasswordPolicy':
            iam.update_account_password_policy(MinimumPasswordLength=8)
        if op == 'GetAccountPasswordPolicy':
            iam.update_account_password_policy(
                MinimumPasswordLength=8, RequireSymbols=True, RequireNumbers=True,
                MaxPasswordAge=90, PasswordReusePrevention=12, AllowUsersToChangePassword=False)
        if op in ('DeleteGroupPolicy',):
            iam.put_group_policy(GroupName=inp['GroupName'], PolicyName=inp['PolicyName'],
                                 PolicyDocument=doc(allow('s3:*')))
        if op == 'ListGroupPolicies':
            for p in ('AdminRoot', 'KeyPolicy'):
                iam.put_group_policy(GroupName=inp['GroupName'], PolicyName=p,
                                     PolicyDocument=doc(allow('s3:*')))
        if op == 'DeleteRolePolicy':
            iam.put_role_policy(RoleName=inp['RoleName'], PolicyName=inp['PolicyName'],
                                PolicyDocument=doc(allow('s3:*')))
        if op == 'DeleteUserPolicy':
            iam.put_user_policy(UserName=inp['UserName'], PolicyName=inp['PolicyName'],
                                PolicyDocument=doc(allow('s3:*')))
        if op in ('DeleteLoginProfile', 'GetLoginProfile', 'UpdateLoginProfile'):
            iam.create_login_profile(UserName=inp['UserName'], Password='h]6EszR}vJ*m')
        if op == 'DeleteVirtualMFADevice':
            inp['SerialNumber'] = iam.create_virtual_mfa_device(
                VirtualMFADeviceName='ExampleName' + sfx)['VirtualMFADevice']['SerialNumber']
        if op == 'ListVirtualMFADevices':
            iam.create_virtual_mfa_device(VirtualMFADeviceName='ExampleMFADevice' + sfx)
        if op in ('ListRoleTags', 'UntagRole'):
            iam.tag_role(RoleName=inp['RoleName'], Tags=[{'Key': 'Dept', 'Value': '12345'},
                                                         {'Key': 'Team', 'Value': 'Accounting'}])
        if op in ('ListUserTags', 'UntagUser'):
            iam.tag_user(UserName=inp['UserName'], Tags=[{'Key': 'Dept', 'Value': '12345'},
                                                         {'Key': 'Team', 'Value': 'Accounting'}])
        if op == 'ListGroupsForUser':
            for g in ('Test', 'Managers'):
                iam.create_group(GroupName=g + sfx, Path='/division_abc/subdivision_xyz/')
                iam.add_user_to_group(GroupName=g + sfx, UserName=inp['UserName'])
        if op == 'ListGroups':
            iam.create_group(GroupName='Admins' + sfx, Path='/division_abc/subdivision_xyz/')
            inp['PathPrefix'] = '/division_abc/subdivision_xyz/'
        if op == 'ListUsers':
            iam.create_user(UserName='Juan' + sfx, Path='/division_abc/subdivision_xyz/engineering/')
            inp['PathPrefix'] = '/division_abc/subdivision_xyz/engineering/'
        if op == 'GenerateServiceLastAccessedDetails':
            inp['Arn'] = iam.create_policy(PolicyName='ExamplePolicy1' + sfx,
                                           PolicyDocument=doc(allow('iam:*')))['Policy']['Arn']
        if op in ('GetServiceLastAccessedDetails', 'GetServiceLastAccessedDetailsWithEntities'):
            user = iam.create_user(UserName='AWSExampleUser01' + sfx)['User']['Arn']
            iam.put_user_policy(UserName='AWSExampleUser01' + sfx, PolicyName='p',
                                PolicyDocument=doc(allow(['iam:*', 's3:*'])))
            inp['JobId'] = iam.generate_service_last_accessed_details(Arn=user)['JobId']
        if op == 'ListPoliciesGrantingServiceAccess':
            name = 'ExampleUser01' + sfx
            iam.create_user(UserName=name)
            for svc in ('Iam', 'Ec2'):
                arn = iam.create_policy(PolicyName='Example%sPolicy%s' % (svc, sfx),
                                        PolicyDocument=doc(allow(svc.lower() + ':*')))['Policy']['Arn']
                iam.attach_user_policy(UserName=name, PolicyArn=arn)
            g = 'AWSExampleGroup1' + sfx
            iam.create_group(GroupName=g)
            iam.put_group_policy(GroupName=g, PolicyName='ExampleGroup1Policy',
                                 PolicyDocument=doc(allow('iam:*')))
            iam.add_user_to_group(GroupName=g, UserName=name)
            inp['Arn'] = 'arn:aws:iam::%s:user/%s' % (ACCOUNT, name)
        return inp

    def run_example(self, svc, op, ex):
        self._ex = ex
        c = self.iam if svc == 'iam' else self.sts
        inp = self.prepare(op, ex.get('input')) if svc == 'iam' else self.prepare_sts(op, ex.get('input'))
        if inp is None:
            return None
        c, inp = inp if isinstance(inp, tuple) else (c, inp)
        try:
            got = getattr(c, snake(op))(**inp)
        except ClientError as e:
            return ['error %s: %s' % (e.response['Error']['Code'], e.response['Error']['Message'])]
        want = ex.get('output') or {}
        return shape_diff(want, got)

    def prepare_sts(self, op, inp):
        inp = copy.deepcopy(inp or {})
        iam = self.iam
        sfx = unique('x')[2:8]
        if op in ('AssumeRole', 'GetFederationToken', 'GetSessionToken', 'GetCallerIdentity'):
            user = 'Bob' + sfx
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName='p', PolicyDocument=doc(
                allow(['sts:*', 's3:*'])))
            ak = iam.create_access_key(UserName=user)['AccessKey']
            creds = (ak['AccessKeyId'], ak['SecretAccessKey'])
        if op == 'AssumeRole':
            role = 'demo' + sfx
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=doc(
                {'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::%s:user/%s' % (ACCOUNT, user)},
                 'Action': ['sts:AssumeRole', 'sts:TagSession'],
                 'Condition': {'StringEquals': {'sts:ExternalId': '123ABC'}}}))
            inp['RoleArn'] = 'arn:aws:iam::%s:role/%s' % (ACCOUNT, role)
        if op == 'GetSessionToken':
            # The example's serial number is a placeholder: an MFA device of the user's own.
            del inp['SerialNumber'], inp['TokenCode']
        if op == 'GetCallerIdentity' and 'assumed-role' in ex_arn(self._ex):
            role = 'my-role-name' + sfx
            iam.create_role(RoleName=role, AssumeRolePolicyDocument=doc(
                {'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::%s:user/%s' % (ACCOUNT, user)},
                 'Action': 'sts:AssumeRole'}))
            creds = client('sts', creds).assume_role(
                RoleArn='arn:aws:iam::%s:role/%s' % (ACCOUNT, role),
                RoleSessionName='my-role-session-name')['Credentials']
        if op == 'GetCallerIdentity' and 'federated-user' in ex_arn(self._ex):
            creds = client('sts', creds).get_federation_token(
                Name='my-federated-user', Policy=doc(allow('sts:*')))['Credentials']
        if op in ('AssumeRole', 'GetFederationToken', 'GetSessionToken', 'GetCallerIdentity'):
            return client('sts', creds), inp
        return inp


def _add(svc, version):
    for op, exs in load(svc, version).items():
        for i, ex in enumerate(exs):
            def test(self, op=op, ex=ex):
                diffs = self.run_example(svc, op, ex)
                diffs = allowed(op, diffs or [])
                self.assertEqual(diffs, [], '%s %s (%s)' % (svc, op, ex.get('id')))
            setattr(Examples, 'test_%s_%s_%d' % (svc, op, i), test)


_add('iam', '2010-05-08')
_add('sts', '2011-06-15')

if __name__ == '__main__':
    unittest.main()
