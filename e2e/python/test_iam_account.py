"""Account-wide operations through boto3: alias, summary, credential report, entities of a
policy."""

import csv
import io

import iamd_e2e as e


class Account(e.TestCase):

    def test_alias(self):
        alias = e.unique('acme').lower()[:40]
        self.iam.create_account_alias(AccountAlias=alias)
        self.addCleanup(self.iam.delete_account_alias, AccountAlias=alias)
        self.assertEqual(self.iam.list_account_aliases()['AccountAliases'], [alias])

    def test_summary_counts(self):
        before = self.iam.get_account_summary()['SummaryMap']
        self.new_user()
        after = self.iam.get_account_summary()['SummaryMap']
        self.assertEqual(after['Users'], before['Users'] + 1)
        self.assertEqual(after['UsersQuota'], 5000)
        self.assertEqual(after['AccessKeysPerUserQuota'], 2)

    def test_credential_report(self):
        user = self.new_user()['UserName']
        # AWS answers STARTED when no report exists yet (another test may have made one), and
        # COMPLETE once one does.
        self.assertIn(self.iam.generate_credential_report()['State'], ('STARTED', 'COMPLETE'))
        self.assertEqual(self.iam.generate_credential_report()['State'], 'COMPLETE')
        rep = self.iam.get_credential_report()
        self.assertEqual(rep['ReportFormat'], 'text/csv')
        rows = list(csv.DictReader(io.StringIO(rep['Content'].decode())))
        self.assertEqual(rows[0]['user'], '<root_account>')
        mine = [r for r in rows if r['user'] == user]
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]['password_enabled'], 'false')
        self.assertEqual(mine[0]['access_key_1_active'], 'false')

    def test_entities_for_policy(self):
        user = self.new_user()['UserName']
        arn = self.iam.create_policy(PolicyName=e.unique('pol'), PolicyDocument=e.doc(e.allow('s3:Get*')))['Policy']['Arn']
        self.addCleanup(e.delete_policy, self.iam, arn)
        self.iam.attach_user_policy(UserName=user, PolicyArn=arn)
        self.addCleanup(self.iam.detach_user_policy, UserName=user, PolicyArn=arn)
        out = self.iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual([u['UserName'] for u in out['PolicyUsers']], [user])
        self.assertEqual(out['PolicyGroups'], [])
        self.assertEqual(out['PolicyRoles'], [])
