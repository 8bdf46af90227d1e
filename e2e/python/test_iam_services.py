"""Service-facing IAM operations through boto3: service-linked roles, policies granting service
access, the access advisor, and the newest groups an iamd answers as an account outside any
organization (Organizations root management, delegation requests) or implements for real
(outbound web identity federation)."""

import re

from botocore.exceptions import ClientError

import iamd_e2e as e


class ServiceLinkedRoles(e.TestCase):

    def delete_slr(self, name):
        try:
            self.iam.delete_service_linked_role(RoleName=name)
        except ClientError as err:
            if err.response['Error']['Code'] != 'NoSuchEntity':
                raise

    def test_create_protect_delete(self):
        suffix = e.unique('s')[:20]
        role = self.iam.create_service_linked_role(AWSServiceName='autoscaling.amazonaws.com',
                                                   CustomSuffix=suffix, Description='scaling')['Role']
        self.addCleanup(self.delete_slr, role['RoleName'])
        self.assertEqual(role['RoleName'], 'AWSServiceRoleForAutoScaling_' + suffix)
        self.assertEqual(role['Path'], '/aws-service-role/autoscaling.amazonaws.com/')
        self.assertEqual(role['Arn'], 'arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/%s'
                         % (e.ACCOUNT, role['RoleName']))
        stmt = role['AssumeRolePolicyDocument']['Statement'][0]
        self.assertEqual(stmt['Principal'], {'Service': 'autoscaling.amazonaws.com'})
        self.assertEqual(stmt['Action'], 'sts:AssumeRole')

        err = self.assertAwsError('UnmodifiableEntity', self.iam.delete_role, RoleName=role['RoleName'])
        self.assertEqual(err['Message'], "Cannot perform the operation on the protected role '%s' - "
                         'this role is only modifiable by AWS' % role['RoleName'])
        err = self.assertAwsError('InvalidInput', self.iam.create_service_linked_role,
                                  AWSServiceName='autoscaling.amazonaws.com', CustomSuffix=suffix)
        self.assertIn('has been taken in this account', err['Message'])

        task = self.iam.delete_service_linked_role(RoleName=role['RoleName'])['DeletionTaskId']
        self.assertRegex(task, r'^task/aws-service-role/autoscaling\.amazonaws\.com/%s/[0-9a-f-]{36}$'
                         % re.escape(role['RoleName']))
        status = self.iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
        self.assertEqual(status['Status'], 'SUCCEEDED')
        self.assertAwsError('NoSuchEntity', self.iam.get_role, RoleName=role['RoleName'])

    def test_suffix_refused(self):
        err = self.assertAwsError('InvalidInput', self.iam.create_service_linked_role,
                                  AWSServiceName='es.amazonaws.com', CustomSuffix='x')
        self.assertEqual(err['Message'], 'Custom suffix is not allowed for es.amazonaws.com')


class GrantingAndAdvisor(e.TestCase):

    def test_policies_granting_service_access(self):
        user = self.new_user()
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='s3read',
                                 PolicyDocument=e.doc(e.allow('s3:Get*')))
        out = self.iam.list_policies_granting_service_access(Arn=user['Arn'], ServiceNamespaces=['s3', 'iam'])
        by_ns = {x['ServiceNamespace']: x['Policies'] for x in out['PoliciesGrantingServiceAccess']}
        self.assertEqual(by_ns['s3'], [{'PolicyName': 's3read', 'PolicyType': 'INLINE',
                                        'EntityType': 'USER', 'EntityName': user['UserName']}])
        self.assertEqual(by_ns['iam'], [])

    def test_service_last_accessed(self):
        user, key = self.new_user(key=True)
        self.iam.put_user_policy(UserName=user['UserName'], PolicyName='read',
                                 PolicyDocument=e.doc(e.allow(['iam:ListUsers', 's3:GetObject'])))
        e.client('iam', key).list_users()
        job = self.iam.generate_service_last_accessed_details(Arn=user['Arn'])['JobId']
        rep = self.iam.get_service_last_accessed_details(JobId=job)
        self.assertEqual(rep['JobStatus'], 'COMPLETED')
        by_ns = {s['ServiceNamespace']: s for s in rep['ServicesLastAccessed']}
        self.assertEqual(set(by_ns), {'iam', 's3'})
        self.assertEqual(by_ns['iam']['LastAuthenticatedEntity'], user['Arn'])
        self.assertEqual(by_ns['iam']['TotalAuthenticatedEntities'], 1)
        self.assertNotIn('LastAuthenticated', by_ns['s3'])
        ents = self.iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace='iam')
        self.assertEqual([x['EntityInfo']['Arn'] for x in ents['EntityDetailsList']], [user['Arn']])


class OutsideOrganization(e.TestCase):

    def test_organizations_features(self):
        for call in (self.iam.list_organizations_features, self.iam.enable_organizations_root_sessions,
                     self.iam.disable_organizations_root_credentials_management):
            self.assertAwsError('OrganizationNotFoundException', call)

    def test_delegation_requests(self):
        self.assertEqual(self.iam.list_delegation_requests()['DelegationRequests'], [])
        self.assertAwsError('NoSuchEntity', self.iam.get_delegation_request,
                            DelegationRequestId='abcdefgh12345678')

    def test_outbound_web_identity_federation(self):
        try:
            before = self.iam.get_outbound_web_identity_federation_info()
        except ClientError as err:
            self.assertEqual(err.response['Error']['Code'], 'FeatureDisabled')
            before = None
        if before is None or not before['JwtVendingEnabled']:
            issuer = self.iam.enable_outbound_web_identity_federation()['IssuerIdentifier']
            self.addCleanup(self.iam.disable_outbound_web_identity_federation)
        else:
            issuer = before['IssuerIdentifier']
        self.assertTrue(issuer.startswith('https://'), issuer)
        self.assertAwsError('FeatureEnabled', self.iam.enable_outbound_web_identity_federation)
        info = self.iam.get_outbound_web_identity_federation_info()
        self.assertEqual(info['IssuerIdentifier'], issuer)
        self.assertTrue(info['JwtVendingEnabled'])
