"""Signing certificates, SSH public keys, server certificates, service-specific credentials and
GetAccountAuthorizationDetails through boto3. Keys and certificates are made here with the
`cryptography` package, as a user would make them with openssl and ssh-keygen."""

import datetime
import hashlib
import re
import unittest
import urllib.parse

import iamd_e2e as e

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # the suite runs without it, minus these tests
    x509 = None


def self_signed(key, cn, days=1):
    now = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode(), cert


def private_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


@unittest.skipIf(x509 is None, 'the cryptography package is not installed')
class Credentials(e.TestCase):

    def _user_cleanup(self, user):
        for c in self.iam.list_signing_certificates(UserName=user)['Certificates']:
            self.iam.delete_signing_certificate(UserName=user, CertificateId=c['CertificateId'])
        for k in self.iam.list_ssh_public_keys(UserName=user)['SSHPublicKeys']:
            self.iam.delete_ssh_public_key(UserName=user, SSHPublicKeyId=k['SSHPublicKeyId'])
        for c in self.iam.list_service_specific_credentials(UserName=user)['ServiceSpecificCredentials']:
            self.iam.delete_service_specific_credential(UserName=user, ServiceSpecificCredentialId=c['ServiceSpecificCredentialId'])

    def test_signing_certificates(self):
        user = self.new_user()['UserName']
        self.addCleanup(self._user_cleanup, user)
        body, _ = self_signed(ec.generate_private_key(ec.SECP256R1()), 'signing')
        cert = self.iam.upload_signing_certificate(UserName=user, CertificateBody=body)['Certificate']
        self.assertRegex(cert['CertificateId'], r'^[A-Z2-7]{32}$')
        self.assertEqual((cert['UserName'], cert['Status']), (user, 'Active'))
        self.assertAwsError('DuplicateCertificate', self.iam.upload_signing_certificate, UserName=user, CertificateBody=body)
        self.assertAwsError('MalformedCertificate', self.iam.upload_signing_certificate, UserName=user, CertificateBody='junk')
        self.iam.update_signing_certificate(UserName=user, CertificateId=cert['CertificateId'], Status='Inactive')
        listed = self.iam.list_signing_certificates(UserName=user)['Certificates']
        self.assertEqual([(c['CertificateId'], c['Status']) for c in listed], [(cert['CertificateId'], 'Inactive')])
        err = self.assertAwsError('DeleteConflict', self.iam.delete_user, UserName=user)
        self.assertEqual(err['Message'], 'Cannot delete entity, must delete certificates first.')

    def test_ssh_public_keys(self):
        user = self.new_user()['UserName']
        self.addCleanup(self._user_cleanup, user)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
        line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
        wire = __import__('base64').b64decode(line.split()[1])
        fingerprint = ':'.join('%02x' % b for b in hashlib.md5(wire).digest())
        up = self.iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=line + ' me@laptop')['SSHPublicKey']
        self.assertRegex(up['SSHPublicKeyId'], r'^APKA[A-Z2-7]{16}$')
        self.assertEqual(up['Fingerprint'], fingerprint)
        pem = self.iam.get_ssh_public_key(UserName=user, SSHPublicKeyId=up['SSHPublicKeyId'], Encoding='PEM')['SSHPublicKey']
        self.assertEqual(pem['SSHPublicKeyBody'],
                         key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
        self.assertAwsError('DuplicateSSHPublicKey', self.iam.upload_ssh_public_key, UserName=user, SSHPublicKeyBody=pem['SSHPublicKeyBody'])
        self.assertAwsError('UnrecognizedPublicKeyEncoding', self.iam.upload_ssh_public_key, UserName=user, SSHPublicKeyBody='junk')
        self.iam.update_ssh_public_key(UserName=user, SSHPublicKeyId=up['SSHPublicKeyId'], Status='Inactive')
        keys = self.iam.list_ssh_public_keys(UserName=user)['SSHPublicKeys']
        self.assertEqual([k['Status'] for k in keys], ['Inactive'])

    def test_service_specific_credentials(self):
        user = self.new_user()['UserName']
        self.addCleanup(self._user_cleanup, user)
        account = self.sts.get_caller_identity()['Account']
        cred = self.iam.create_service_specific_credential(UserName=user, ServiceName='codecommit.amazonaws.com')['ServiceSpecificCredential']
        self.assertEqual(cred['ServiceUserName'], '%s-at-%s' % (user, account))
        self.assertEqual(len(cred['ServicePassword']), 44)
        self.assertRegex(cred['ServiceSpecificCredentialId'], r'^ACCA[A-Z2-7]{17}$')
        self.iam.create_service_specific_credential(UserName=user, ServiceName='codecommit.amazonaws.com')
        self.assertAwsError('LimitExceeded', self.iam.create_service_specific_credential, UserName=user, ServiceName='codecommit.amazonaws.com')
        err = self.assertAwsError('NoSuchEntity', self.iam.create_service_specific_credential, UserName=user,
                                  ServiceName='s3.amazonaws.com')
        self.assertEqual(err['Message'], 'No such service s3.amazonaws.com is supported for Service Specific Credentials')
        reset = self.iam.reset_service_specific_credential(UserName=user, ServiceSpecificCredentialId=cred['ServiceSpecificCredentialId'])
        self.assertNotEqual(reset['ServiceSpecificCredential']['ServicePassword'], cred['ServicePassword'])
        listed = self.iam.list_service_specific_credentials(UserName=user, ServiceName='codecommit.amazonaws.com')
        self.assertEqual(len(listed['ServiceSpecificCredentials']), 2)
        self.assertNotIn('ServicePassword', listed['ServiceSpecificCredentials'][0])

    def test_server_certificates(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        body, cert = self_signed(key, 'www.example.com')
        name = e.unique('cert')
        md = self.iam.upload_server_certificate(ServerCertificateName=name, Path='/e2e/', CertificateBody=body,
                                                PrivateKey=private_pem(key))['ServerCertificateMetadata']
        self.addCleanup(self.iam.delete_server_certificate, ServerCertificateName=name)
        self.assertRegex(md['ServerCertificateId'], r'^ASCA[A-Z2-7]{17}$')
        self.assertTrue(md['Arn'].endswith(':server-certificate/e2e/' + name))
        self.assertEqual(md['Expiration'].replace(microsecond=0), cert.not_valid_after_utc.replace(microsecond=0))
        other = ec.generate_private_key(ec.SECP256R1())
        self.assertAwsError('KeyPairMismatch', self.iam.upload_server_certificate, ServerCertificateName=name + 'x',
                            CertificateBody=body, PrivateKey=private_pem(other))
        got = self.iam.get_server_certificate(ServerCertificateName=name)['ServerCertificate']
        self.assertEqual(got['CertificateBody'], body.strip())
        self.assertNotIn('PrivateKey', got)
        listed = self.iam.list_server_certificates(PathPrefix='/e2e/')['ServerCertificateMetadataList']
        self.assertIn(name, [m['ServerCertificateName'] for m in listed])
        self.iam.tag_server_certificate(ServerCertificateName=name, Tags=[{'Key': 'env', 'Value': 'test'}])
        self.assertEqual(self.iam.list_server_certificate_tags(ServerCertificateName=name)['Tags'], [{'Key': 'env', 'Value': 'test'}])


class AuthorizationDetails(e.TestCase):

    def test_details_of_a_user_in_a_group(self):
        user = self.new_user()['UserName']
        group = e.unique('e2e-group')
        self.iam.create_group(GroupName=group)
        self.addCleanup(e.delete_group, self.iam, group)
        self.iam.add_user_to_group(GroupName=group, UserName=user)
        self.iam.put_user_policy(UserName=user, PolicyName='inline', PolicyDocument=e.doc(e.allow('iam:GetUser')))
        seen = {}
        for page in self.iam.get_paginator('get_account_authorization_details').paginate(
                Filter=['User'], PaginationConfig={'PageSize': 1}):
            self.assertEqual(page['GroupDetailList'], [])
            for u in page['UserDetailList']:
                seen[u['UserName']] = u
        detail = seen[user]
        self.assertEqual(detail['GroupList'], [group])
        self.assertEqual([p['PolicyName'] for p in detail['UserPolicyList']], ['inline'])
        # boto3 hands documents back decoded into dicts.
        doc = detail['UserPolicyList'][0]['PolicyDocument']
        if isinstance(doc, str):
            doc = __import__('json').loads(urllib.parse.unquote(doc))
        self.assertEqual(doc['Statement'][0]['Action'], 'iam:GetUser')
        self.assertTrue(re.match(r'^AIDA', detail['UserId']))


if __name__ == '__main__':
    unittest.main()
