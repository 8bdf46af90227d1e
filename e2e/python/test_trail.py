"""The audit trail: every authenticated call, allowed or denied, as a CloudTrail event that
CloudTrail's LookupEvents finds, through boto3 and the aws CLI."""

import json
import time

import iamd_e2e as e


class AuditTrail(e.TestCase):

    def lookup(self, client, key, value, done):
        """LookupEvents by one attribute until done(events) holds: the trail writes events
        within a fraction of a second."""
        deadline = time.time() + 10
        while True:
            events = client.lookup_events(LookupAttributes=[{'AttributeKey': key, 'AttributeValue': value}],
                                          MaxResults=50)['Events']
            if done(events) or time.time() > deadline:
                return events
            time.sleep(0.2)

    def test_calls_and_denials_of_a_user(self):
        user, key = self.new_user(prefix='e2e-trail', key=True)
        name = user['UserName']
        self.iam.put_user_policy(UserName=name, PolicyName='p', PolicyDocument=e.doc(
            e.allow(['iam:ListUsers', 'iam:CreateLoginProfile', 'cloudtrail:LookupEvents'])))
        iam = e.client('iam', key)
        iam.list_users()
        self.assertAwsError('AccessDenied', iam.create_user, UserName=e.unique('e2e-denied'))
        # A password given in a call never reaches the trail.
        iam.create_login_profile(UserName=name, Password='Correct-Horse-9-Battery')
        self.addCleanup(self.iam.delete_login_profile, UserName=name)

        want = {'ListUsers', 'CreateUser', 'CreateLoginProfile'}
        events = self.lookup(e.client('cloudtrail', key), 'Username', name,
                             lambda evs: want <= {ev['EventName'] for ev in evs})
        by_name = {ev['EventName']: ev for ev in events}
        for n in ('ListUsers', 'CreateUser', 'CreateLoginProfile'):
            self.assertIn(n, by_name, [ev['EventName'] for ev in events])
        denied = json.loads(by_name['CreateUser']['CloudTrailEvent'])
        self.assertEqual(denied['errorCode'], 'AccessDenied')
        self.assertIn('is not authorized to perform: iam:CreateUser', denied['errorMessage'])
        self.assertEqual(denied['userIdentity']['type'], 'IAMUser')
        self.assertEqual(denied['userIdentity']['userName'], name)
        self.assertEqual(denied['userIdentity']['accessKeyId'], key[0])
        self.assertEqual(denied['eventSource'], 'iam.amazonaws.com')
        self.assertEqual(denied['recipientAccountId'], e.ACCOUNT)
        self.assertFalse(denied['readOnly'])
        self.assertEqual(by_name['ListUsers']['ReadOnly'], 'true')
        profile = json.loads(by_name['CreateLoginProfile']['CloudTrailEvent'])
        self.assertEqual(profile['requestParameters']['password'], 'HIDDEN_DUE_TO_SECURITY_REASONS')
        self.assertNotIn('Correct-Horse', by_name['CreateLoginProfile']['CloudTrailEvent'])

        # The aws CLI, as an operator would ask.
        status, out, stderr = e.aws_cli('cloudtrail', 'lookup-events', '--lookup-attributes',
                                        'AttributeKey=Username,AttributeValue=' + name,
                                        env={'AWS_ACCESS_KEY_ID': key[0], 'AWS_SECRET_ACCESS_KEY': key[1]})
        self.assertEqual(status, 0, stderr)
        self.assertIn('CreateUser', [ev['EventName'] for ev in out['Events']])

    def test_secrets_of_answers_are_hidden(self):
        user = self.new_user(prefix='e2e-trail-key')
        ak = self.iam.create_access_key(UserName=user['UserName'])['AccessKey']
        events = self.lookup(e.client('cloudtrail'), 'EventName', 'CreateAccessKey',
                             lambda evs: any(ak['AccessKeyId'] in ev['CloudTrailEvent'] for ev in evs))
        mine = [json.loads(ev['CloudTrailEvent']) for ev in events
                if ak['AccessKeyId'] in ev['CloudTrailEvent']]
        self.assertTrue(mine, 'no CreateAccessKey event names the new key')
        self.assertEqual(mine[0]['responseElements']['accessKey']['secretAccessKey'], 'HIDDEN_DUE_TO_SECURITY_REASONS')
        self.assertNotIn(ak['SecretAccessKey'], json.dumps(mine[0]))

    def test_lookup_needs_permission_and_valid_input(self):
        user, key = self.new_user(prefix='e2e-trail-none', key=True)
        ct = e.client('cloudtrail', key)
        err = self.assertAwsError('AccessDeniedException', ct.lookup_events)
        self.assertIn('cloudtrail:LookupEvents', err['Message'])
        root = e.client('cloudtrail')
        self.assertAwsError('InvalidLookupAttributesException', root.lookup_events, LookupAttributes=[
            {'AttributeKey': 'Username', 'AttributeValue': 'a'}, {'AttributeKey': 'EventName', 'AttributeValue': 'b'}])
        self.assertAwsError('InvalidMaxResultsException', root.lookup_events, MaxResults=51)
        self.assertAwsError('InvalidNextTokenException', root.lookup_events, NextToken='not-a-token')
