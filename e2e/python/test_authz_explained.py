"""Authorization explained, as boto3 sees it: the gates a request passes (groups, boundaries,
explicit denies, session policies), ABAC, the simulator answering as enforcement does, and
STS's denials, which AWS does not encode."""

import unittest

import iamd_e2e as e


def reason(arn, action, resource, why):
    return 'User: %s is not authorized to perform: %s on resource: %s %s' % (arn, action, resource, why)


class Gates(e.TestCase):

    def test_no_policies_only_get_caller_identity(self):
        user, key = self.new_user(key=True)
        ident = e.client('sts', key).get_caller_identity()
        self.assertEqual(ident['Arn'], user['Arn'])
        as_user = e.client('iam', key)
        err = self.assertAwsError('AccessDenied', as_user.get_user, UserName=user['UserName'])
        # AWS names an existing user by its kind and name ("on resource: user NAME").
        self.assertEqual(err['Message'], reason(user['Arn'], 'iam:GetUser', 'user ' + user['UserName'],
                                                'because no identity-based policy allows the iam:GetUser action'))
        self.assertAwsError('AccessDenied', e.client('sts', key).get_federation_token, Name='fed-user')

    def test_group_grants_boundary_caps_deny_wins(self):
        user, key = self.new_user(key=True)
        name = user['UserName']
        group = e.unique('e2e-group')
        self.iam.create_group(GroupName=group)
        self.addCleanup(e.delete_group, self.iam, group)
        self.iam.put_group_policy(GroupName=group, PolicyName='read',
                                  PolicyDocument=e.doc(e.allow(['iam:GetUser', 'iam:ListUsers', 'iam:ListRoles'])))
        self.iam.add_user_to_group(GroupName=group, UserName=name)
        as_user = e.client('iam', key)
        as_user.list_roles()
        as_user.list_users()

        boundary = self.iam.create_policy(PolicyName=e.unique('e2e-boundary'),
                                          PolicyDocument=e.doc(e.allow(['iam:List*'])))['Policy']
        self.addCleanup(e.delete_policy, self.iam, boundary['Arn'])
        self.iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary['Arn'])
        self.addCleanup(self.iam.delete_user_permissions_boundary, UserName=name)
        as_user.list_users()
        err = self.assertAwsError('AccessDenied', as_user.get_user, UserName=name)
        self.assertEqual(err['Message'], reason(user['Arn'], 'iam:GetUser', 'user ' + name,
                                                'because no permissions boundary allows the iam:GetUser action'))

        self.iam.put_user_policy(UserName=name, PolicyName='no-roles', PolicyDocument=e.doc(
            {'Effect': 'Deny', 'Action': 'iam:ListRoles', 'Resource': '*'}))
        self.addCleanup(self.iam.delete_user_policy, UserName=name, PolicyName='no-roles')
        err = self.assertAwsError('AccessDenied', as_user.list_roles)
        self.assertEqual(err['Message'], reason(user['Arn'], 'iam:ListRoles', 'arn:aws:iam::%s:role/' % e.ACCOUNT,
                                                'with an explicit deny in an identity-based policy'))

    def test_role_then_session_policy_narrows(self):
        role = self.new_role()
        self.iam.put_role_policy(RoleName=role['RoleName'], PolicyName='read',
                                 PolicyDocument=e.doc(e.allow(['iam:GetRole', 'iam:ListRoles'])))
        creds = self.assumer.assume_role(RoleArn=role['Arn'], RoleSessionName='narrow',
                                         Policy=e.doc(e.allow('iam:GetRole')))['Credentials']
        as_role = e.client('iam', creds)
        as_role.get_role(RoleName=role['RoleName'])
        err = self.assertAwsError('AccessDenied', as_role.list_roles)
        self.assertIn('because no session policy allows the iam:ListRoles action', err['Message'])

    def test_abac_and_username_scoping(self):
        user, key = self.new_user(key=True)
        name = user['UserName']
        self.iam.tag_user(UserName=name, Tags=[{'Key': 'team', 'Value': 'red'}])
        red = self.new_role(Tags=[{'Key': 'team', 'Value': 'red'}])
        blue = self.new_role(Tags=[{'Key': 'team', 'Value': 'blue'}])
        self.iam.put_user_policy(UserName=name, PolicyName='abac', PolicyDocument=e.doc(
            {'Effect': 'Allow', 'Action': 'iam:GetRole', 'Resource': '*',
             'Condition': {'StringEquals': {'aws:ResourceTag/team': '${aws:PrincipalTag/team}'}}},
            e.allow(['iam:ListAccessKeys'], 'arn:aws:iam::%s:user/${aws:username}' % e.ACCOUNT)))
        as_user = e.client('iam', key)
        as_user.get_role(RoleName=red['RoleName'])
        self.assertAwsError('AccessDenied', as_user.get_role, RoleName=blue['RoleName'])
        as_user.list_access_keys()
        other = self.new_user()
        self.assertAwsError('AccessDenied', as_user.list_access_keys, UserName=other['UserName'])


class Simulator(e.TestCase):

    def test_simulate_principal_policy_matches_enforcement(self):
        user, key = self.new_user(key=True)
        policy = e.doc(e.allow('iam:GetUser'), {'Sid': 'NoRoles', 'Effect': 'Deny', 'Action': 'iam:ListRoles', 'Resource': '*'})
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='p', PolicyDocument=policy)
        out = self.iam.simulate_principal_policy(PolicySourceArn=user['Arn'],
                                                 ActionNames=['iam:GetUser', 'iam:ListRoles', 'iam:ListUsers'])
        got = {r['EvalActionName']: r['EvalDecision'] for r in out['EvaluationResults']}
        self.assertEqual(got, {'iam:GetUser': 'allowed', 'iam:ListRoles': 'explicitDeny', 'iam:ListUsers': 'implicitDeny'})
        deny = [r for r in out['EvaluationResults'] if r['EvalActionName'] == 'iam:ListRoles'][0]
        st = deny['MatchedStatements'][0]
        self.assertEqual((st['SourcePolicyId'], st['SourcePolicyType']), ('p', 'IAM Policy'))
        self.assertIn('Line', st['StartPosition'])
        as_user = e.client('iam', key)
        as_user.get_user(UserName=user['UserName'])
        self.assertAwsError('AccessDenied', as_user.list_roles)
        self.assertAwsError('AccessDenied', as_user.list_users)

    def test_simulate_custom_policy_missing_context_and_keys(self):
        policy = e.doc({'Effect': 'Allow', 'Action': 'iam:CreateUser', 'Resource': '*',
                        'Condition': {'StringEquals': {'aws:RequestTag/env': 'dev'}}})
        out = self.iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=['iam:CreateUser'])
        r = out['EvaluationResults'][0]
        self.assertEqual(r['EvalDecision'], 'implicitDeny')
        self.assertEqual(r['MissingContextValues'], ['aws:RequestTag/env'])
        out = self.iam.simulate_custom_policy(PolicyInputList=[policy], ActionNames=['iam:CreateUser'], ContextEntries=[
            {'ContextKeyName': 'aws:RequestTag/env', 'ContextKeyValues': ['dev'], 'ContextKeyType': 'string'}])
        self.assertEqual(out['EvaluationResults'][0]['EvalDecision'], 'allowed')
        keys = self.iam.get_context_keys_for_custom_policy(PolicyInputList=[policy])['ContextKeyNames']
        self.assertEqual(keys, ['aws:RequestTag/env'])

    def test_simulated_assume_role_reads_the_trust_policy(self):
        role = self.new_role(trust_policy=e.doc({'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'},
                                                 'Action': 'sts:AssumeRole'}))
        user = self.new_user()
        out = self.iam.simulate_custom_policy(PolicyInputList=[e.doc(e.allow('sts:AssumeRole'))],
                                              ActionNames=['sts:AssumeRole'], ResourceArns=[role['Arn']],
                                              CallerArn=user['Arn'])
        self.assertEqual(out['EvaluationResults'][0]['EvalDecision'], 'implicitDeny')


class EncodedMessages(e.TestCase):

    def test_assume_role_denial_is_not_encoded(self):
        # AWS encodes the denials of some services (EC2's), never STS's: AssumeRole's names the
        # caller, the action and the role, and nothing more.
        role = self.new_role(trust_policy=e.doc({'Effect': 'Allow', 'Principal': {'Service': 'ec2.amazonaws.com'},
                                                 'Action': 'sts:AssumeRole'}))
        user, key = self.new_user(key=True)
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='p', PolicyDocument=e.doc(
            e.allow(['sts:AssumeRole', 'sts:DecodeAuthorizationMessage'])))
        as_user = e.client('sts', key)
        err = self.assertAwsError('AccessDenied', as_user.assume_role, RoleArn=role['Arn'], RoleSessionName='s1')
        self.assertEqual(err['Message'], 'User: %s is not authorized to perform: sts:AssumeRole on resource: %s'
                         % (user['Arn'], role['Arn']))
        self.assertAwsError('InvalidAuthorizationMessageException', as_user.decode_authorization_message,
                            EncodedMessage='bm90LWEtbWVzc2FnZQ')


if __name__ == '__main__':
    unittest.main()
