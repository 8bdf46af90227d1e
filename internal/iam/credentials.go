package iam

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/iamd/iamd/internal/awserr"
)

// Credentials other than access keys and passwords: X.509 signing certificates, SSH public keys,
// server certificates and service-specific credentials. The parsers here are pure and answer
// bad input with AWS's error codes; the service stores what they return.

// Id prefixes and lengths of these credentials as AWS forms them.
const (
	PrefixServerCertificate  = "ASCA" // 21 characters, like the other unique ids
	PrefixSSHPublicKey       = "APKA" // 20 characters
	PrefixServiceCredential  = "ACCA" // 21 characters
	SigningCertificateIDLen  = 32     // upper-case letters and digits, no prefix
	SSHPublicKeyIDLen        = 20
	MaxSigningCertsPerUser   = 2
	MaxSSHPublicKeysPerUser  = 5
	MaxServerCertsPerAccount = 20
	MaxServiceCredsPerUser   = 2 // per service
	MinSSHKeyBits            = 2048
)

// NewSigningCertificateID returns a signing certificate id: 32 upper-case base32 characters.
func NewSigningCertificateID() string { return randomChars(base32Alphabet, SigningCertificateIDLen) }

// NewSSHPublicKeyID returns an SSH public key id: APKA and 16 upper-case base32 characters.
func NewSSHPublicKeyID() string {
	return PrefixSSHPublicKey + randomChars(base32Alphabet, SSHPublicKeyIDLen-len(PrefixSSHPublicKey))
}

// NewServiceCredentialPassword returns a service-specific password as AWS forms them: 32 random
// bytes in standard base64 (44 characters).
func NewServiceCredentialPassword() string { return base64.StdEncoding.EncodeToString(randomBytes(32)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("iam: crypto/rand failed: " + err.Error()) // never fails on supported platforms
	}
	return b
}

// ServiceUserName is the generated user name of a service-specific credential: USER-at-ACCOUNT.
func ServiceUserName(user, account string) string { return user + "-at-" + account }

// ServiceCredentialAlias is the public part of a long-term API key. AWS documents it as "the IAM
// user name and a suffix containing version and creation information" without giving the
// format; the aliases AWS returns read USER-at-ACCOUNT (as ServiceUserName), so iamd forms them
// that way.
func ServiceCredentialAlias(user, account string) string { return user + "-at-" + account }

// ServiceCredentialService describes a service that accepts service-specific credentials.
type ServiceCredentialService struct {
	// APIKey marks the services whose credentials are long-term API keys (alias and secret,
	// optional CredentialAgeDays) rather than a user name and password.
	APIKey bool
	// KeyPrefix starts the service's API keys: ABSK for Amazon Bedrock, ACWL for CloudWatch Logs
	// (the prefix CloudWatch Logs' bearer-token documentation names).
	KeyPrefix string
}

// ServiceCredentialServices are the services that accept service-specific credentials and that
// iamd issues them for, keyed by ServiceName.
var ServiceCredentialServices = map[string]ServiceCredentialService{
	"codecommit.amazonaws.com": {},
	"cassandra.amazonaws.com":  {},
	"bedrock.amazonaws.com":    {APIKey: true, KeyPrefix: "ABSK"},
	"logs.amazonaws.com":       {APIKey: true, KeyPrefix: "ACWL"},
}

// Bounds of CreateServiceSpecificCredential's CredentialAgeDays (the model's range).
const (
	MinCredentialAgeDays = 1
	MaxCredentialAgeDays = 36600
)

// apiKeySecretBytes is the random part of an API key; 48 bytes (64 base64 characters) make a
// Bedrock key as long as the ones AWS issues (ABSK and 109 to 269 base64 characters).
const apiKeySecretBytes = 48

// ServiceCredentialExpiry is when a credential created at created with CredentialAgeDays days
// expires: the same time of day, days later (as AWS reports ExpirationDate).
func ServiceCredentialExpiry(created time.Time, days int32) time.Time {
	return created.Add(time.Duration(days) * 24 * time.Hour)
}

// NewServiceAPIKey returns a long-term API key for the service: its prefix followed by the
// standard base64 of "ALIAS:RANDOM". AWS does not document the layout; its Bedrock keys are
// ABSK and base64 text that carries the user name and account in the clear, so iamd embeds the
// alias the same way, which lets a verifier find the credential without a lookup table.
func NewServiceAPIKey(prefix, alias string) string {
	random := base64.RawURLEncoding.EncodeToString(randomBytes(apiKeySecretBytes))
	return prefix + base64.StdEncoding.EncodeToString([]byte(alias+":"+random))
}

// ServiceAPIKey is a parsed long-term API key.
type ServiceAPIKey struct {
	Prefix string // ABSK, ACWL
	Alias  string // USER-at-ACCOUNT
	Random string // the secret part
}

// String names the key without its secret part.
func (k ServiceAPIKey) String() string { return k.Prefix + "(" + k.Alias + ":redacted)" }

// LogValue keeps the secret part out of logs.
func (k ServiceAPIKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

var errMalformedAPIKey = errors.New("iam: malformed service API key")

// ParseServiceAPIKey reads a key made by NewServiceAPIKey for one of the API-key services.
func ParseServiceAPIKey(key string) (ServiceAPIKey, error) {
	if len(key) < 4 || len(key) > 1024 {
		return ServiceAPIKey{}, errMalformedAPIKey
	}
	prefix := key[:4]
	known := false
	for _, s := range ServiceCredentialServices {
		if s.APIKey && s.KeyPrefix == prefix {
			known = true
		}
	}
	if !known {
		return ServiceAPIKey{}, errMalformedAPIKey
	}
	// Go's base64 decoders skip CR and LF even in strict mode: without this, a key with line
	// breaks inserted would parse as the key without them, one secret with many spellings.
	if strings.ContainsAny(key, "\r\n") {
		return ServiceAPIKey{}, errMalformedAPIKey
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(key[4:])
	if err != nil {
		return ServiceAPIKey{}, errMalformedAPIKey
	}
	alias, random, ok := strings.Cut(string(raw), ":")
	at := strings.LastIndex(alias, "-at-") // the last: a user name may itself contain -at-
	if !ok || at < 1 || !isAccountID(alias[at+len("-at-"):]) || random == "" || ValidateUserName("userName", alias[:at]) != nil {
		return ServiceAPIKey{}, errMalformedAPIKey
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(random); err != nil || strings.ContainsAny(random, "\r\n") {
		return ServiceAPIKey{}, errMalformedAPIKey
	}
	return ServiceAPIKey{Prefix: prefix, Alias: alias, Random: random}, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func malformedCertificate(msg string) error {
	return awserr.New(http.StatusBadRequest, "MalformedCertificate", msg)
}

// Certificate is a parsed PEM X.509 certificate.
type Certificate struct {
	X509 *x509.Certificate
	// Fingerprint is the SHA-256 of the DER encoding: two uploads of one certificate are equal.
	Fingerprint [32]byte
}

// ParseCertificate parses exactly one PEM "CERTIFICATE" block (surrounding whitespace allowed).
func ParseCertificate(body string) (Certificate, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) > 0 {
		return Certificate{}, malformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return Certificate{}, malformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	return Certificate{X509: c, Fingerprint: sha256.Sum256(block.Bytes)}, nil
}

// ParseSigningCertificate parses a signing certificate and refuses one that is not valid at now.
func ParseSigningCertificate(body string, now time.Time) (Certificate, error) {
	c, err := ParseCertificate(body)
	if err != nil {
		return c, err
	}
	if now.Before(c.X509.NotBefore) || now.After(c.X509.NotAfter) {
		return Certificate{}, awserr.New(http.StatusBadRequest, "InvalidCertificate",
			"The certificate is not valid at the current date: it is either expired or not yet valid.")
	}
	return c, nil
}

// ParseCertificateChain parses one or more PEM certificates.
func ParseCertificateChain(chain string) ([]*x509.Certificate, error) {
	rest := []byte(strings.TrimSpace(chain))
	var out []*x509.Certificate
	for len(rest) > 0 {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, malformedCertificate("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.")
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, malformedCertificate("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.")
		}
		out = append(out, c)
		rest = []byte(strings.TrimSpace(string(rest)))
	}
	if len(out) == 0 {
		return nil, malformedCertificate("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.")
	}
	return out, nil
}

// ParsePrivateKey parses a PEM private key (PKCS #1 RSA, SEC 1 EC or PKCS #8) and checks that
// it is the key of cert.
func ParsePrivateKey(keyPEM string, cert *x509.Certificate) error {
	block, _ := pem.Decode([]byte(strings.TrimSpace(keyPEM)))
	if block == nil {
		return malformedCertificate("Unable to parse private key. Please ensure the private key is in PEM format.")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		err = errUnsupported
	}
	if err != nil {
		return malformedCertificate("Unable to parse private key. Please ensure the private key is in PEM format.")
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return malformedCertificate("Unable to parse private key. Please ensure the private key is in PEM format.")
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return awserr.New(http.StatusBadRequest, "KeyPairMismatch", "The public key of the certificate does not match the private key.")
	}
	return nil
}

var errUnsupported = errors.New("iam: unsupported PEM block")

// SSHPublicKey is a parsed SSH public key.
type SSHPublicKey struct {
	Key ssh.PublicKey
	// Fingerprint is the MD5 fingerprint as AWS shows it: colon-separated lower-case hex.
	Fingerprint string
}

func unrecognizedEncoding() error {
	return awserr.New(http.StatusBadRequest, "UnrecognizedPublicKeyEncoding",
		"The request was rejected because the public key encoding format is unsupported or unrecognized.")
}

func invalidPublicKey(msg string) error {
	return awserr.New(http.StatusBadRequest, "InvalidPublicKey", msg)
}

// ParseSSHPublicKey parses an RSA public key in OpenSSH ("ssh-rsa AAAA… comment") or PEM
// (PKIX "PUBLIC KEY" or PKCS #1 "RSA PUBLIC KEY") form, of at least 2048 bits, as CodeCommit,
// the service these keys are for, requires.
func ParseSSHPublicKey(body string) (SSHPublicKey, error) {
	text := strings.TrimSpace(body)
	var rsaKey *rsa.PublicKey
	switch {
	case strings.HasPrefix(text, "-----BEGIN"):
		block, rest := pem.Decode([]byte(text))
		if block == nil || len(strings.TrimSpace(string(rest))) > 0 {
			return SSHPublicKey{}, unrecognizedEncoding()
		}
		var k any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			k, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			k, err = x509.ParsePKCS1PublicKey(block.Bytes)
		default:
			return SSHPublicKey{}, unrecognizedEncoding()
		}
		if err != nil {
			return SSHPublicKey{}, invalidPublicKey("The request was rejected because the public key is malformed or otherwise invalid.")
		}
		var ok bool
		if rsaKey, ok = k.(*rsa.PublicKey); !ok {
			return SSHPublicKey{}, invalidPublicKey("The request was rejected because the public key is not an RSA key.")
		}
	case strings.HasPrefix(text, "ssh-"), strings.HasPrefix(text, "ecdsa-"):
		if strings.ContainsAny(text, "\r\n") {
			return SSHPublicKey{}, unrecognizedEncoding()
		}
		k, _, _, rest, err := ssh.ParseAuthorizedKey([]byte(text))
		if err != nil || len(rest) > 0 {
			return SSHPublicKey{}, invalidPublicKey("The request was rejected because the public key is malformed or otherwise invalid.")
		}
		ck, ok := k.(ssh.CryptoPublicKey)
		if !ok {
			return SSHPublicKey{}, unrecognizedEncoding()
		}
		if rsaKey, ok = ck.CryptoPublicKey().(*rsa.PublicKey); !ok {
			return SSHPublicKey{}, invalidPublicKey("The request was rejected because the public key is not an RSA key.")
		}
	default:
		return SSHPublicKey{}, unrecognizedEncoding()
	}
	if rsaKey.N.BitLen() < MinSSHKeyBits {
		return SSHPublicKey{}, invalidPublicKey("The request was rejected because the public key is shorter than 2048 bits.")
	}
	k, err := ssh.NewPublicKey(rsaKey)
	if err != nil {
		return SSHPublicKey{}, invalidPublicKey("The request was rejected because the public key is malformed or otherwise invalid.")
	}
	fp := strings.TrimPrefix(ssh.FingerprintLegacyMD5(k), "MD5:")
	return SSHPublicKey{Key: k, Fingerprint: fp}, nil
}

// Encode renders the key as GetSSHPublicKey returns it: "SSH" is the OpenSSH one-line
// form, "PEM" the PKIX PEM form.
func (k SSHPublicKey) Encode(encoding string) (string, error) {
	switch encoding {
	case "SSH":
		return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.Key))), nil
	case "PEM":
		ck, ok := k.Key.(ssh.CryptoPublicKey)
		if !ok {
			return "", unrecognizedEncoding()
		}
		der, err := x509.MarshalPKIXPublicKey(ck.CryptoPublicKey())
		if err != nil {
			return "", unrecognizedEncoding()
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
	}
	return "", unrecognizedEncoding()
}

// SSHWire is the key's SSH wire encoding in base64: the stored, canonical form.
func (k SSHPublicKey) SSHWire() string { return base64.StdEncoding.EncodeToString(k.Key.Marshal()) }

// ParseSSHWire reads back a key stored by SSHWire.
func ParseSSHWire(s string) (SSHPublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return SSHPublicKey{}, err
	}
	k, err := ssh.ParsePublicKey(raw)
	if err != nil {
		return SSHPublicKey{}, err
	}
	return SSHPublicKey{Key: k, Fingerprint: strings.TrimPrefix(ssh.FingerprintLegacyMD5(k), "MD5:")}, nil
}

// ServerCertificateARN is arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME.
func ServerCertificateARN(account, path, name string) string {
	return iamARN(account, "server-certificate"+path+name)
}

// VerifyChain checks that chain starts with the certificate that signed cert and that each
// further certificate signed the one before it, as AWS requires of a server certificate's chain
// (the root may be left out). index is -1 when the first link, from cert to chain[0], fails.
func VerifyChain(cert *x509.Certificate, chain []*x509.Certificate) error {
	child := cert
	for i, parent := range chain {
		if child.CheckSignatureFrom(parent) != nil {
			return malformedCertificate(fmt.Sprintf("Unable to validate certificate chain. The certificate chain must start with the "+
				"immediate signing certificate, followed by any intermediaries in order. The index within the chain of the invalid "+
				"certificate is: %d", i-1))
		}
		child = parent
	}
	return nil
}

// STS's words for a rejected MFA code and for a device it cannot use, as AWS answers them (its
// answers recorded in the wild), spaces included: the first ends in one, the second has two
// between its sentences.
const (
	MFAInvalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
	MFAUnknownDevice = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
)
