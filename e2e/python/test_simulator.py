"""The policy simulator's result shape as boto3 parses it: one EvaluationResult per action with
ResourceSpecificResults for named resources, EvalDecisionDetails only across accounts, and
ResourceHandlingOption checked against AWS's EC2 scenarios."""

import iamd_e2e as e

OTHER_ACCOUNT = '999999999999'


class ResourceSpecificResults(e.TestCase):

    def test_one_result_per_action_most_restrictive_first(self):
        red = self.new_user(prefix='e2e-red')
        blue = self.new_user(prefix='e2e-blue')
        self.iam.tag_user(UserName=blue['UserName'], Tags=[{'Key': 'team', 'Value': 'blue'}])
        source = self.new_user()
        self.iam.put_user_policy(UserName=source['UserName'], PolicyName='p', PolicyDocument=e.doc(
            e.allow('iam:GetUser'),
            {'Sid': 'NotBlue', 'Effect': 'Deny', 'Action': 'iam:GetUser', 'Resource': '*',
             'Condition': {'StringEquals': {'aws:ResourceTag/team': 'blue'}}}))
        out = self.iam.simulate_principal_policy(PolicySourceArn=source['Arn'],
                                                 ActionNames=['iam:GetUser', 'iam:DeleteUser'],
                                                 ResourceArns=[red['Arn'], blue['Arn']])
        results = {r['EvalActionName']: r for r in out['EvaluationResults']}
        self.assertEqual(sorted(results), ['iam:DeleteUser', 'iam:GetUser'])

        get = results['iam:GetUser']
        self.assertEqual(get['EvalDecision'], 'explicitDeny')
        self.assertEqual(get['EvalResourceName'], red['Arn'])
        self.assertNotIn('EvalDecisionDetails', get)  # AWS sends no empty map
        self.assertEqual(get['OrganizationsDecisionDetail'], {'AllowedByOrganizations': True})
        per = [(r['EvalResourceName'], r['EvalResourceDecision']) for r in get['ResourceSpecificResults']]
        self.assertEqual(per, [(red['Arn'], 'allowed'), (blue['Arn'], 'explicitDeny')])
        # The deny is reported by its deny statement alone.
        denied = get['ResourceSpecificResults'][1]['MatchedStatements']
        self.assertEqual([(s['SourcePolicyId'], s['SourcePolicyType']) for s in denied], [('p', 'IAM Policy')])
        self.assertEqual(get['MatchedStatements'], denied)

        delete = results['iam:DeleteUser']
        self.assertEqual(delete['EvalDecision'], 'implicitDeny')
        self.assertEqual([r['EvalResourceDecision'] for r in delete['ResourceSpecificResults']],
                         ['implicitDeny', 'implicitDeny'])

    def test_all_resources_has_no_per_resource_part(self):
        out = self.iam.simulate_custom_policy(PolicyInputList=[e.doc(e.allow('iam:*'))],
                                              ActionNames=['iam:GetUser'])
        r = out['EvaluationResults'][0]
        self.assertEqual((r['EvalResourceName'], r['EvalDecision']), ('*', 'allowed'))
        self.assertNotIn('ResourceSpecificResults', r)
        self.assertNotIn('EvalDecisionDetails', r)

    def test_cross_account_decision_details(self):
        caller = self.new_user()
        bucket = 'arn:aws:s3:::e2e-shared'
        grant = e.doc({'Effect': 'Allow', 'Principal': {'AWS': caller['Arn']}, 'Action': 's3:GetObject',
                       'Resource': bucket + '/*'})
        for name, resource_policy, decision, sides in [
            ('no grant', None, 'implicitDeny', {'IAM Policy': 'allowed', 'Resource Policy': 'implicitDeny'}),
            ('granted', grant, 'allowed', {'IAM Policy': 'allowed', 'Resource Policy': 'allowed'}),
        ]:
            with self.subTest(name):
                kw = {'ResourcePolicy': resource_policy} if resource_policy else {}
                out = self.iam.simulate_custom_policy(
                    PolicyInputList=[e.doc(e.allow('s3:GetObject'))], ActionNames=['s3:GetObject'],
                    ResourceArns=[bucket + '/k'], ResourceOwner=OTHER_ACCOUNT, CallerArn=caller['Arn'], **kw)
                r = out['EvaluationResults'][0]
                self.assertEqual(r['EvalDecision'], decision)
                self.assertEqual(r['EvalDecisionDetails'], sides)
                self.assertEqual(r['ResourceSpecificResults'][0]['EvalDecisionDetails'], sides)

    def test_paging_counts_actions(self):
        kw = dict(PolicyInputList=[e.doc(e.allow('iam:*'))],
                  ActionNames=['iam:GetUser', 'iam:GetRole', 'iam:ListUsers'],
                  ResourceArns=['arn:aws:iam::%s:user/a' % e.ACCOUNT, 'arn:aws:iam::%s:user/b' % e.ACCOUNT])
        first = self.iam.simulate_custom_policy(MaxItems=2, **kw)
        self.assertTrue(first['IsTruncated'])
        rest = self.iam.simulate_custom_policy(Marker=first['Marker'], **kw)
        self.assertFalse(rest['IsTruncated'])
        actions = [r['EvalActionName'] for r in first['EvaluationResults'] + rest['EvaluationResults']]
        self.assertEqual(actions, ['iam:GetUser', 'iam:GetRole', 'iam:ListUsers'])
        self.assertTrue(all(len(r['ResourceSpecificResults']) == 2 for r in first['EvaluationResults']))


class ResourceHandlingOption(e.TestCase):

    def ec2(self, *types):
        return ['arn:aws:ec2:us-east-1:%s:%s/x-1' % (e.ACCOUNT, t) for t in types] + \
               ['arn:aws:ec2:us-east-1::image/ami-1']

    def test_unknown_scenario_refused(self):
        err = self.assertAwsError('InvalidInput', self.iam.simulate_custom_policy,
                                  PolicyInputList=[e.doc(e.allow('*'))], ActionNames=['ec2:RunInstances'],
                                  ResourceHandlingOption='EC2-Classic-InstanceStore')
        self.assertIn('EC2-VPC-InstanceStore', err['Message'])

    def test_iam_action_does_not_fit_a_scenario(self):
        user = self.new_user()
        err = self.assertAwsError('InvalidInput', self.iam.simulate_principal_policy,
                                  PolicySourceArn=user['Arn'], ActionNames=['iam:CreateUser'],
                                  ResourceHandlingOption='EC2-VPC-InstanceStore')
        self.assertIn('missing: instance, image, security-group, network-interface', err['Message'])

    def test_complete_scenario_runs(self):
        out = self.iam.simulate_custom_policy(
            PolicyInputList=[e.doc(e.allow('ec2:RunInstances'))], ActionNames=['ec2:RunInstances'],
            ResourceArns=self.ec2('instance', 'security-group', 'network-interface', 'volume'),
            ResourceHandlingOption='EC2-VPC-EBS')
        r = out['EvaluationResults'][0]
        self.assertEqual(r['EvalDecision'], 'allowed')
        self.assertEqual(len(r['ResourceSpecificResults']), 5)
