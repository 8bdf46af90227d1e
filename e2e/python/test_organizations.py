"""AWS Organizations through boto3 and the aws CLI: an organization of the suite's account, a
member account created in it, and a service control policy that binds the member's
administrator but not the management account."""

import time

import iamd_e2e as e


class Organizations(e.TestCase):

    def setUp(self):
        self.org = e.client('organizations')
        self.org.create_organization(FeatureSet='ALL')
        self.addCleanup(self.org.delete_organization)

    def create_account(self, name):
        """CreateAccount, then DescribeCreateAccountStatus until it settles, as AWS's asynchronous
        account creation is polled; returns the new account's id."""
        st = self.org.create_account(AccountName=name, Email=name + '@example.com')['CreateAccountStatus']
        self.assertEqual(st['State'], 'IN_PROGRESS')
        deadline = time.time() + 10
        while st['State'] == 'IN_PROGRESS' and time.time() < deadline:
            st = self.org.describe_create_account_status(CreateAccountRequestId=st['Id'])['CreateAccountStatus']
        self.assertEqual(st['State'], 'SUCCEEDED', st)
        account = st['AccountId']
        self.addCleanup(self.org.remove_account_from_organization, AccountId=account)
        return account

    def test_scp_binds_member_not_management(self):
        root = self.org.list_roots()['Roots'][0]
        self.assertTrue(root['Id'].startswith('r-'))
        self.org.enable_policy_type(RootId=root['Id'], PolicyType='SERVICE_CONTROL_POLICY')
        account = self.create_account(e.unique('e2e-member'))
        admin = self.assumer.assume_role(RoleArn='arn:aws:iam::%s:role/OrganizationAccountAccessRole' % account,
                                         RoleSessionName='e2e')['Credentials']
        member_iam = e.client('iam', admin)

        policy = self.org.create_policy(
            Name=e.unique('e2e-no-users'), Type='SERVICE_CONTROL_POLICY', Description='no users',
            Content=e.doc({'Effect': 'Deny', 'Action': 'iam:CreateUser', 'Resource': '*'}))['Policy']['PolicySummary']
        self.addCleanup(self.org.delete_policy, PolicyId=policy['Id'])
        self.org.attach_policy(PolicyId=policy['Id'], TargetId=root['Id'])
        self.addCleanup(self.org.detach_policy, PolicyId=policy['Id'], TargetId=root['Id'])

        err = self.assertAwsError('AccessDenied', member_iam.create_user, UserName='blocked')
        self.assertIn('with an explicit deny in a service control policy: ' + policy['Arn'], err['Message'])
        self.new_user(prefix='e2e-mgmt')  # the management account is exempt

        # A member may read its organization but not manage it.
        member_org = e.client('organizations', admin)
        self.assertEqual(member_org.describe_organization()['Organization']['MasterAccountId'], e.ACCOUNT)
        self.assertAwsError('AccessDeniedException', member_org.list_accounts)
        # Organizations' own errors, with their Reason.
        with self.assertRaises(e.ClientError) as cm:
            self.org.detach_policy(PolicyId='p-FullAWSAccess', TargetId=account)  # its only SCP
        self.assertEqual(cm.exception.response['Error']['Code'], 'ConstraintViolationException')
        self.assertEqual(cm.exception.response.get('Reason'), 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED')

        # The aws CLI, as an operator would ask.
        status, out, stderr = e.aws_cli('organizations', 'list-accounts')
        self.assertEqual(status, 0, stderr)
        self.assertEqual({a['Id'] for a in out['Accounts']}, {e.ACCOUNT, account})
        status, out, stderr = e.aws_cli('organizations', 'list-policies-for-target', '--target-id', root['Id'],
                                        '--filter', 'SERVICE_CONTROL_POLICY')
        self.assertEqual(status, 0, stderr)
        self.assertEqual({p['Name'] for p in out['Policies']}, {'FullAWSAccess', policy['Name']})
