"""Virtual MFA devices through boto3: a real seed and QR code, enabling with two consecutive
RFC 6238 codes computed here as an authenticator app would, and the rules around deletion."""

import base64
import hashlib
import hmac
import struct
import time

import iamd_e2e as e


def totp(seed_b32, step):
    key = base64.b32decode(seed_b32 + '=' * (-len(seed_b32) % 8))
    digest = hmac.new(key, struct.pack('>Q', step), hashlib.sha1).digest()
    off = digest[-1] & 0x0F
    return '%06d' % ((struct.unpack('>I', digest[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


class VirtualMFA(e.TestCase):

    def test_enable_deactivate_delete(self):
        user = self.new_user()['UserName']
        dev = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=e.unique('phone'))['VirtualMFADevice']
        serial = dev['SerialNumber']
        self.addCleanup(self._cleanup, user, serial)
        seed = dev['Base32StringSeed'].decode()
        self.assertEqual(len(base64.b32decode(seed + '=' * (-len(seed) % 8))), 20)
        self.assertEqual(dev['QRCodePNG'][:8], b'\x89PNG\r\n\x1a\n')

        step = int(time.time()) // 30
        err = self.assertAwsError('InvalidAuthenticationCode', self.iam.enable_mfa_device, UserName=user,
                                  SerialNumber=serial, AuthenticationCode1=totp(seed, step),
                                  AuthenticationCode2=totp(seed, step))
        self.assertEqual(err['Message'], 'Authentication code for device is not valid.')
        self.iam.enable_mfa_device(UserName=user, SerialNumber=serial,
                                   AuthenticationCode1=totp(seed, step - 1), AuthenticationCode2=totp(seed, step))
        devices = self.iam.list_mfa_devices(UserName=user)['MFADevices']
        self.assertEqual([d['SerialNumber'] for d in devices], [serial])
        assigned = self.iam.list_virtual_mfa_devices(AssignmentStatus='Assigned')['VirtualMFADevices']
        self.assertIn(serial, [d['SerialNumber'] for d in assigned])
        self.assertNotIn('Base32StringSeed', assigned[0])

        self.assertAwsError('DeleteConflict', self.iam.delete_user, UserName=user)
        self.assertAwsError('DeleteConflict', self.iam.delete_virtual_mfa_device, SerialNumber=serial)
        self.iam.deactivate_mfa_device(UserName=user, SerialNumber=serial)
        self.assertEqual(self.iam.list_mfa_devices(UserName=user)['MFADevices'], [])
        self.iam.delete_virtual_mfa_device(SerialNumber=serial)
        self.assertAwsError('NoSuchEntity', self.iam.get_mfa_device, SerialNumber=serial)

    def _cleanup(self, user, serial):
        for fn, kw in ((self.iam.deactivate_mfa_device, dict(UserName=user, SerialNumber=serial)),
                       (self.iam.delete_virtual_mfa_device, dict(SerialNumber=serial))):
            try:
                fn(**kw)
            except Exception:  # already done by the test
                pass
