"""Authorization as clients see it: identity policies, trust policies, session policies."""

import json
import unittest

import iamd_e2e as e


def denied(user_arn, action, resource):
    """AWS's implicit-deny message for an IAM user."""
    return ('User: %s is not authorized to perform: %s on resource: %s '
            'because no identity-based policy allows the %s action' % (user_arn, action, resource, action))


class IdentityPolicies(e.TestCase):

    def test_no_policy_then_inline_policy(self):
        user, key = self.new_user(key=True)
        as_user = e.client('iam', key)

        err = self.assertAwsError('AccessDenied', as_user.list_users)
        self.assertEqual(err['Message'], denied(user['Arn'], 'iam:ListUsers',
                                                'arn:aws:iam::%s:user/' % e.ACCOUNT))

        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='list-users',
                                 PolicyDocument=e.doc(e.allow('iam:ListUsers')))
        self.assertEqual(self.iam.list_user_policies(UserName=user['UserName'])['PolicyNames'],
                         ['list-users'])
        names = [u['UserName'] for u in as_user.list_users()['Users']]
        self.assertIn(user['UserName'], names)
        # The policy grants ListUsers only.
        self.assertAwsError('AccessDenied', as_user.get_user, UserName=user['UserName'])

        self.iam.delete_user_policy(UserName=user['UserName'], PolicyName='list-users')
        self.assertAwsError('AccessDenied', as_user.list_users)

    def test_managed_policy_attach_detach(self):
        name = e.unique('e2e-policy')
        pol = self.iam.create_policy(PolicyName=name,
                                     PolicyDocument=e.doc(e.allow('iam:GetUser')))['Policy']
        # Registered before the user's cleanup, so it runs after the user (and the attachment) is gone.
        self.addCleanup(e.delete_policy, self.iam, pol['Arn'])
        self.assertEqual(pol['Arn'], 'arn:aws:iam::%s:policy/%s' % (e.ACCOUNT, name))
        self.assertRegex(pol['PolicyId'], r'^ANPA[A-Z0-9]{17}$')
        self.assertEqual(pol['DefaultVersionId'], 'v1')

        user, key = self.new_user(key=True)
        as_user = e.client('iam', key)
        target = user['UserName']
        self.assertAwsError('AccessDenied', as_user.get_user, UserName=target)

        self.iam.attach_user_policy(UserName=target, PolicyArn=pol['Arn'])
        attached = self.iam.list_attached_user_policies(UserName=target)['AttachedPolicies']
        self.assertEqual(attached, [{'PolicyName': name, 'PolicyArn': pol['Arn']}])
        self.assertEqual(as_user.get_user(UserName=target)['User']['Arn'], user['Arn'])
        self.assertEqual(self.iam.get_policy(PolicyArn=pol['Arn'])['Policy']['AttachmentCount'], 1)

        self.assertAwsError('DeleteConflict', self.iam.delete_policy, PolicyArn=pol['Arn'])

        self.iam.detach_user_policy(UserName=target, PolicyArn=pol['Arn'])
        self.assertAwsError('AccessDenied', as_user.get_user, UserName=target)

    def test_group_policy(self):
        user, key = self.new_user(key=True)
        as_user = e.client('iam', key)
        group = self.iam.create_group(GroupName=e.unique('e2e-group'))['Group']
        self.addCleanup(e.delete_group, self.iam, group['GroupName'])
        self.assertRegex(group['GroupId'], r'^AGPA[A-Z0-9]{17}$')
        self.iam.put_group_policy(GroupName=group['GroupName'], PolicyName='list-users',
                                  PolicyDocument=e.doc(e.allow('iam:ListUsers')))
        self.assertAwsError('AccessDenied', as_user.list_users)

        self.iam.add_user_to_group(GroupName=group['GroupName'], UserName=user['UserName'])
        self.assertEqual([u['UserName'] for u in self.iam.get_group(GroupName=group['GroupName'])['Users']],
                         [user['UserName']])
        as_user.list_users()
        # A group with members cannot be deleted.
        self.assertAwsError('DeleteConflict', self.iam.delete_group, GroupName=group['GroupName'])

        self.iam.remove_user_from_group(GroupName=group['GroupName'], UserName=user['UserName'])
        self.assertAwsError('AccessDenied', as_user.list_users)

    def test_explicit_deny(self):
        user, key = self.new_user(key=True)
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='all-but-list',
                                 PolicyDocument=e.doc(e.allow('iam:*'),
                                                      {'Effect': 'Deny', 'Action': 'iam:ListUsers', 'Resource': '*'}))
        err = self.assertAwsError('AccessDenied', e.client('iam', key).list_users)
        self.assertTrue(err['Message'].startswith(
            'User: %s is not authorized to perform: iam:ListUsers on resource: ' % user['Arn']), err['Message'])
        self.assertTrue(err['Message'].endswith(' with an explicit deny in an identity-based policy'),
                        err['Message'])
        e.client('iam', key).get_user(UserName=user['UserName'])

    def test_get_caller_identity_needs_no_permission(self):
        # AWS answers GetCallerIdentity even under an explicit deny of everything.
        user, key = self.new_user(key=True)
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='deny-all',
                                 PolicyDocument=e.doc({'Effect': 'Deny', 'Action': '*', 'Resource': '*'}))
        self.assertEqual(e.client('sts', key).get_caller_identity()['Arn'], user['Arn'])

    def test_malformed_policy(self):
        user = self.new_user()
        cases = {
            'not JSON': 'not json',
            'no Effect': json.dumps({'Version': '2012-10-17',
                                       'Statement': [{'Action': 'iam:*', 'Resource': '*'}]}),
            'Principal in an identity policy': e.doc(dict(e.allow('iam:*'), Principal={'AWS': e.ROOT_ARN})),
        }
        for case, document in cases.items():
            with self.subTest(case):
                self.assertAwsError('MalformedPolicyDocument', self.iam.put_user_policy,
                                    UserName=user['UserName'], PolicyName='bad',
                                    PolicyDocument=document)


class TrustPolicies(e.TestCase):

    def test_create_role_with_invalid_trust_policy(self):
        cases = {
            'not JSON': '{"Version": "2012-10-17", "Statement": [',
            'no Principal': e.doc({'Effect': 'Allow', 'Action': 'sts:AssumeRole'}),
            'Resource in a trust policy': e.doc({'Effect': 'Allow', 'Principal': {'AWS': e.ROOT_ARN},
                                                 'Action': 'sts:AssumeRole', 'Resource': '*'}),
        }
        for case, document in cases.items():
            with self.subTest(case):
                name = e.unique('e2e-badtrust')
                self.addCleanup(e.delete_role, self.iam, name)
                self.assertAwsError('MalformedPolicyDocument', self.iam.create_role,
                                    RoleName=name, AssumeRolePolicyDocument=document)
                self.assertAwsError('NoSuchEntity', self.iam.get_role, RoleName=name)

    def test_assume_role_denied_by_trust_policy(self):
        user, key = self.new_user(key=True)
        # The user may call sts:AssumeRole on anything; only the trust policy can say no.
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='assume-any',
                                 PolicyDocument=e.doc(e.allow('sts:AssumeRole')))
        as_user = e.client('sts', key)

        ec2_only = self.new_role(trust_policy=e.doc({
            'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'}, 'Action': 'sts:AssumeRole'}))
        err = self.assertAwsError('AccessDenied', as_user.assume_role,
                                  RoleArn=ec2_only['Arn'], RoleSessionName='nope')
        self.assertTrue(err['Message'].startswith(
            'User: %s is not authorized to perform: sts:AssumeRole on resource: %s'
            % (user['Arn'], ec2_only['Arn'])), err['Message'])

        # Control: the same user, a role whose trust policy names it.
        trusting = self.new_role(trust_policy=e.trust(user['Arn']))
        resp = as_user.assume_role(RoleArn=trusting['Arn'], RoleSessionName='yes')
        self.assertEqual(resp['AssumedRoleUser']['Arn'], 'arn:aws:sts::%s:assumed-role/%s/yes'
                         % (e.ACCOUNT, trusting['RoleName']))

    def test_session_policy_intersection(self):
        role = self.new_role()
        self.iam.put_role_policy(RoleName=role['RoleName'], PolicyName='read-users',
                                 PolicyDocument=e.doc(e.allow(['iam:GetUser', 'iam:ListUsers'])))
        target = self.new_user()['UserName']

        # Without a session policy the session has the role's permissions.
        full = e.client('iam', self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='full')['Credentials'])
        full.get_user(UserName=target)
        full.list_users()

        # With one, only what both allow.
        resp = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='narrow',
                                    Policy=e.doc(e.allow('iam:ListUsers')))
        self.assertIn('PackedPolicySize', resp)
        narrow = e.client('iam', resp['Credentials'])
        narrow.list_users()
        err = self.assertAwsError('AccessDenied', narrow.get_user, UserName=target)
        self.assertEqual(
            err['Message'],
            'User: arn:aws:sts::%s:assumed-role/%s/narrow is not authorized to perform: iam:GetUser '
            'on resource: user %s because no session policy allows the iam:GetUser action'
            % (e.ACCOUNT, role['RoleName'], target))

        # A session policy cannot grant what the role lacks.
        wide = e.client('iam', self.assumer.assume_role(
            RoleArn=role['Arn'], RoleSessionName='wide', Policy=e.doc(e.allow('iam:*')))['Credentials'])
        self.assertAwsError('AccessDenied', wide.create_user, UserName=e.unique('e2e-never'))


if __name__ == '__main__':
    unittest.main()
