"""AWS managed policies, login profiles with the account password policy, and instance
profiles, through boto3."""

import unittest

from botocore.exceptions import ClientError

import iamd_e2e as e

ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess'


class AWSManagedPolicies(e.TestCase):

    def test_listed_with_aws_ids(self):
        # All of AWS's 1,600 managed policies are listed: follow the pages.
        pages = self.iam.get_paginator('list_policies').paginate(Scope='AWS')
        pols = {p['PolicyName']: p for page in pages for p in page['Policies']}
        for name in ('AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess',
                     'IAMReadOnlyAccess', 'IAMUserChangePassword'):
            self.assertIn(name, pols)
            self.assertEqual(pols[name]['Arn'], 'arn:aws:iam::aws:policy/' + name)
        self.assertEqual(pols['AdministratorAccess']['PolicyId'], 'ANPAIWMBCKSKIEE64ZLYK')
        self.assertEqual(pols['PowerUserAccess']['DefaultVersionId'], 'v12')

    def test_attachable_not_changeable(self):
        user = self.new_user()
        self.iam.attach_user_policy(UserName=user['UserName'], PolicyArn=ADMIN)
        self.addCleanup(self.iam.detach_user_policy, UserName=user['UserName'], PolicyArn=ADMIN)
        version = self.iam.get_policy_version(PolicyArn=ADMIN, VersionId='v1')['PolicyVersion']
        self.assertEqual(version['Document']['Statement'][0]['Action'], '*')
        self.assertAwsError('AccessDenied', self.iam.delete_policy, PolicyArn=ADMIN)
        self.assertAwsError('AccessDenied', self.iam.create_policy_version, PolicyArn=ADMIN,
                            PolicyDocument=e.doc(e.allow('s3:*')))

    def test_version_history(self):
        # Every version the catalogue records (151 of ReadOnlyAccess's 188), newest first.
        arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess'
        pages = self.iam.get_paginator('list_policy_versions').paginate(
            PolicyArn=arn, PaginationConfig={'PageSize': 60})
        versions = [v for page in pages for v in page['Versions']]
        self.assertEqual(len(versions), 151)
        self.assertEqual([v['VersionId'] for v in versions[:2]] + [versions[-1]['VersionId']],
                         ['v188', 'v187', 'v1'])
        self.assertEqual([v['IsDefaultVersion'] for v in versions], [True] + [False] * 150)
        old = self.iam.get_policy_version(PolicyArn=arn, VersionId='v2')['PolicyVersion']
        self.assertFalse(old['IsDefaultVersion'])
        self.assertEqual(old['CreateDate'].isoformat(), '2015-04-21T16:37:57+00:00')
        self.assertIn('appstream:Get*', old['Document']['Statement'][0]['Action'])
        self.assertAwsError('NoSuchEntity', self.iam.get_policy_version, PolicyArn=arn, VersionId='v180')


class LoginProfiles(e.TestCase):

    def login_user(self, password):
        user = self.new_user()
        name = user['UserName']
        self.iam.create_login_profile(UserName=name, Password=password)
        self.addCleanup(self._delete_profile, name)
        return name

    def _delete_profile(self, name):
        try:
            self.iam.delete_login_profile(UserName=name)
        except ClientError as err:
            if err.response['Error']['Code'] != 'NoSuchEntity':
                raise

    def test_default_policy_and_delete_conflict(self):
        user = self.new_user()
        err = self.assertAwsError('PasswordPolicyViolation', self.iam.create_login_profile,
                                  UserName=user['UserName'], Password='short')
        self.assertEqual(err['Message'], 'Password should have a minimum length of 8')
        name = self.login_user('Good-pass-1')
        profile = self.iam.get_login_profile(UserName=name)['LoginProfile']
        self.assertEqual(profile['UserName'], name)
        err = self.assertAwsError('DeleteConflict', self.iam.delete_user, UserName=name)
        self.assertEqual(err['Message'], 'Cannot delete entity, must delete login profile first.')

    def test_account_password_policy(self):
        self.iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True,
                                                PasswordReusePrevention=3)
        self.addCleanup(self.iam.delete_account_password_policy)
        pol = self.iam.get_account_password_policy()['PasswordPolicy']
        self.assertEqual(pol['MinimumPasswordLength'], 14)
        self.assertTrue(pol['RequireSymbols'])
        self.assertFalse(pol['ExpirePasswords'])
        self.assertNotIn('MaxPasswordAge', pol)
        name = self.login_user('a-long-enough-password')
        err = self.assertAwsError('PasswordPolicyViolation', self.iam.update_login_profile,
                                  UserName=name, Password='no symbols here at all')
        self.assertEqual(err['Message'], 'Password should have at least one symbol')
        self.assertAwsError('PasswordPolicyViolation', self.iam.update_login_profile,
                            UserName=name, Password='a-long-enough-password')


class InstanceProfiles(e.TestCase):

    def test_one_role_each(self):
        role = self.new_role()
        name = e.unique('e2e-ip')
        ip = self.iam.create_instance_profile(InstanceProfileName=name, Path='/e2e/')['InstanceProfile']
        self.assertRegex(ip['InstanceProfileId'], r'^AIPA[A-Z0-9]{17}$')
        self.addCleanup(self.iam.delete_instance_profile, InstanceProfileName=name)
        self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role['RoleName'])
        self.addCleanup(self.iam.remove_role_from_instance_profile, InstanceProfileName=name,
                        RoleName=role['RoleName'])
        other = self.new_role()
        self.assertAwsError('LimitExceeded', self.iam.add_role_to_instance_profile,
                            InstanceProfileName=name, RoleName=other['RoleName'])
        got = self.iam.get_instance_profile(InstanceProfileName=name)['InstanceProfile']
        self.assertEqual([r['RoleName'] for r in got['Roles']], [role['RoleName']])
        listed = self.iam.list_instance_profiles_for_role(RoleName=role['RoleName'])
        self.assertEqual([p['InstanceProfileName'] for p in listed['InstanceProfiles']], [name])


if __name__ == '__main__':
    unittest.main()
