"""OpenID Connect and SAML identity providers through boto3: URL normalisation, client ids,
thumbprints, metadata validation, tags."""

import iamd_e2e as e

# A self-signed IdP signing certificate made for this suite (openssl, RSA 2048, 100 years).
IDP_CERT = ('MIIDFzCCAf+gAwIBAgIUHv+5DvViIk6A+8a6MJgiNT0rXtgwDQYJKoZIhvcNAQELBQAwGjEYMBYGA1UEAwwPaWRwLmUyZS5leGFtcGxlMCAXDTI2MTEyNzExNDQwMFoYDzIxMjYxMTAzMTE0NDAwWjAaMRgwFgYDVQQDDA9pZHAuZTJlLmV4YW1wbGUwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDmGQpUBFkdBZOcGeJaJQh155ChQYQ0WzTiqhFZBVAfAHEwaoQoMvxbF6Q39Enj4/t14aGRb7MNU39sqN19pZJNHhrdEZVRPyElyJjCeeDvLFtioLcxbgVGdQYVu7DX7MzhPisw0lsyM6zeadznv5UR07M4QBPqEo3Mzjt1jR1L2EFS42YZlvretw0F2IY8BLLHTTa0QlsdZfaejOqGgDzkcuLBAYSt4L4eQQJxrnrcks6TBKeZ40dEGQzy/29R23VPBnlybOYxexk57K+GpjBhvVFWBQu08dwJ8gNWFXS4hKA2KedG0xwL6hHNmJsnJVjvKKY+XT1QSR2p6ClPthkvAgMBAAGjUzBRMB0GA1UdDgQWBBRqehxABgQz5AIUTlZGKCh24r7dCTAfBgNVHSMEGDAWgBRqehxABgQz5AIUTlZGKCh24r7dCTAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQCE432NHrFv26Odi5jDfR6/q67hXx/nRGYReXcJ4zJfB7zoXBzC6678z0X0mo+ep7j4njpamds1zdutxUTIBb2YQnMEWZfYwaCnBZZEziDiK92cS/58KuvBwf2CNL/uf7JiV/qDzr33+93wUWoXduzBCmsxbUkzf+wVeFutKI1NhbOe2No6xPYMvB2q5Dcy4CF99CL6RGq8Yx94kK+R4cOgD5iErh8Tt0yK2109hpjzziRsc28uLmMQUVJeUgMEOcY5gNhMSXYDzx/cabTYem9hYfVFdBbJICJp1VlIihd8poqNmwWaIvq9yKHMMDZwRtjxOwcmW/O+KMELzaTSFdZh')


def metadata(entity_id, cert=IDP_CERT, use='signing'):
    return ('<?xml version="1.0"?>\n'
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%s">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="%s"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s'
            '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            'Location="https://idp.e2e.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
            % (entity_id, use, cert))


class OIDCProviders(e.TestCase):

    def test_lifecycle(self):
        host = e.unique('oidc') + '.example.com'
        arn = self.iam.create_open_id_connect_provider(
            Url='https://%s/tenant/' % host, ClientIDList=['app'],
            Tags=[{'Key': 'team', 'Value': 'id'}])['OpenIDConnectProviderArn']
        self.addCleanup(self.delete_oidc, arn)
        self.assertEqual(arn, 'arn:aws:iam::%s:oidc-provider/%s/tenant' % (e.ACCOUNT, host))
        err = self.assertAwsError('EntityAlreadyExists', self.iam.create_open_id_connect_provider,
                                  Url='https://%s/tenant' % host)
        self.assertEqual(err['Message'], 'Provider with url https://%s/tenant already exists.' % host)
        self.assertAwsError('InvalidInput', self.iam.create_open_id_connect_provider,
                            Url='http://%s' % host)

        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                           ClientID='sts.amazonaws.com')
        self.iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                            ThumbprintList=['9e' * 20])
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertEqual(got['Url'], host + '/tenant')
        self.assertEqual(got['ClientIDList'], ['app', 'sts.amazonaws.com'])
        self.assertEqual(got['ThumbprintList'], ['9e' * 20])
        self.assertIn(arn, [p['Arn'] for p in
                            self.iam.list_open_id_connect_providers()['OpenIDConnectProviderList']])
        self.assertAwsError('InvalidInput', self.iam.update_open_id_connect_provider_thumbprint,
                            OpenIDConnectProviderArn=arn, ThumbprintList=['9e' * 20] * 6)

        self.iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=['team'])
        self.assertEqual(self.iam.list_open_id_connect_provider_tags(
            OpenIDConnectProviderArn=arn)['Tags'], [])
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertAwsError('NoSuchEntity', self.iam.get_open_id_connect_provider,
                            OpenIDConnectProviderArn=arn)
        # A second delete finds nothing, as AWS answers it.
        err = self.assertAwsError('NoSuchEntity', self.iam.delete_open_id_connect_provider,
                                  OpenIDConnectProviderArn=arn)
        self.assertEqual(err['Message'], 'OpenIDConnect Provider not found for arn ' + arn)

    def delete_oidc(self, arn):
        try:
            self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        except e.ClientError as err:
            if err.response['Error']['Code'] != 'NoSuchEntity':
                raise


class SAMLProviders(e.TestCase):

    def test_lifecycle(self):
        name = e.unique('saml')
        arn = self.iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata('https://idp.e2e.example'),
                                            Tags=[{'Key': 'k', 'Value': 'v'}])['SAMLProviderArn']
        self.addCleanup(self._delete, arn)
        self.assertEqual(arn, 'arn:aws:iam::%s:saml-provider/%s' % (e.ACCOUNT, name))
        got = self.iam.get_saml_provider(SAMLProviderArn=arn)
        self.assertIn(IDP_CERT, got['SAMLMetadataDocument'])
        self.assertEqual(got['ValidUntil'].year, got['CreateDate'].year + 100)
        self.assertEqual(got['Tags'], [{'Key': 'k', 'Value': 'v'}])

        for bad in (metadata('x', use='encryption'), metadata('x', cert='AAAA' + IDP_CERT),
                    'not xml at all ' * 80):
            err = self.assertAwsError('InvalidInput', self.iam.create_saml_provider,
                                      Name=e.unique('bad'), SAMLMetadataDocument=bad)
            self.assertEqual(err['Message'], 'Could not parse metadata')

        self.iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata('https://idp2.e2e.example'))
        self.assertIn('idp2.e2e.example', self.iam.get_saml_provider(SAMLProviderArn=arn)['SAMLMetadataDocument'])
        listed = {p['Arn']: p for p in self.iam.list_saml_providers()['SAMLProviderList']}
        self.assertIn(arn, listed)
        self.iam.delete_saml_provider(SAMLProviderArn=arn)
        err = self.assertAwsError('NoSuchEntity', self.iam.get_saml_provider, SAMLProviderArn=arn)

    def _delete(self, arn):
        try:
            self.iam.delete_saml_provider(SAMLProviderArn=arn)
        except Exception:  # already deleted by the test
            pass
