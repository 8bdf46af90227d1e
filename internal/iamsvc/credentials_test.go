package iamsvc_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"golang.org/x/crypto/ssh"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/store"
)

// testCert returns a self-signed PEM certificate valid from notBefore for a day, and its key.
func testCert(t *testing.T, key crypto.Signer, cn string, notBefore time.Time) string {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notBefore.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// testLeaf returns a CA certificate and a leaf certificate for key that the CA signed.
func testLeaf(t *testing.T, key crypto.Signer, notBefore time.Time) (leaf, ca string) {
	t.Helper()
	caKey := ecKey(t)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: notBefore,
		NotAfter: notBefore.Add(48 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "www.example.com"}, NotBefore: notBefore,
		NotAfter: notBefore.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var rsaKeys = struct {
	sync.Once
	k2048, k1024 *rsa.PrivateKey
}{}

// testRSA returns RSA keys generated once per test binary (2048-bit generation is slow).
func testRSA(t *testing.T) (k2048, k1024 *rsa.PrivateKey) {
	t.Helper()
	rsaKeys.Do(func() {
		rsaKeys.k2048, _ = rsa.GenerateKey(rand.Reader, 2048)
		rsaKeys.k1024, _ = rsa.GenerateKey(rand.Reader, 1024)
	})
	if rsaKeys.k2048 == nil || rsaKeys.k1024 == nil {
		t.Fatal("rsa key generation failed")
	}
	return rsaKeys.k2048, rsaKeys.k1024
}

func TestSigningCertificates(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("Bob")}))(t)
	now := time.Now().Add(-time.Hour)
	cert1 := testCert(t, ecKey(t), "one", now)
	up := must(c.UploadSigningCertificate(ctx, &iamsdk.UploadSigningCertificateInput{UserName: aws.String("bob"), CertificateBody: aws.String(cert1)}))(t).Certificate
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(aws.ToString(up.CertificateId)) || aws.ToString(up.UserName) != "Bob" ||
		up.Status != iamtypes.StatusTypeActive || aws.ToString(up.CertificateBody) != cert1 || up.UploadDate == nil {
		t.Fatalf("uploaded = %+v", up)
	}
	tests := []struct {
		name, user, body, code string
	}{
		{"duplicate in the account", "", cert1, "DuplicateCertificate"},
		{"not PEM", "bob", "hello", "MalformedCertificate"},
		{"PEM of garbage", "bob", "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n", "MalformedCertificate"},
		{"expired", "bob", testCert(t, ecKey(t), "old", now.Add(-72*time.Hour)), "InvalidCertificate"},
		{"not yet valid", "bob", testCert(t, ecKey(t), "new", now.Add(72*time.Hour)), "InvalidCertificate"},
		{"no such user", "nobody", testCert(t, ecKey(t), "x", now), "NoSuchEntity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &iamsdk.UploadSigningCertificateInput{CertificateBody: aws.String(tc.body)}
			if tc.user != "" {
				in.UserName = aws.String(tc.user)
			}
			_, err := c.UploadSigningCertificate(ctx, in)
			wantErr(t, err, tc.code, "")
		})
	}
	must(c.UploadSigningCertificate(ctx, &iamsdk.UploadSigningCertificateInput{UserName: aws.String("bob"), CertificateBody: aws.String(testCert(t, ecKey(t), "two", now))}))(t)
	_, err := c.UploadSigningCertificate(ctx, &iamsdk.UploadSigningCertificateInput{UserName: aws.String("bob"), CertificateBody: aws.String(testCert(t, ecKey(t), "three", now))})
	wantErr(t, err, "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2")

	// Root (no UserName) has its own two.
	root := must(c.UploadSigningCertificate(ctx, &iamsdk.UploadSigningCertificateInput{CertificateBody: aws.String(testCert(t, ecKey(t), "root", now))}))(t).Certificate
	if aws.ToString(root.UserName) != "" {
		t.Errorf("root certificate user = %q", aws.ToString(root.UserName))
	}
	if l := must(c.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{}))(t); len(l.Certificates) != 1 {
		t.Errorf("root certificates = %d", len(l.Certificates))
	}

	l := must(c.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{UserName: aws.String("bob"), MaxItems: aws.Int32(1)}))(t)
	if len(l.Certificates) != 1 || !l.IsTruncated || aws.ToString(l.Certificates[0].CertificateId) != aws.ToString(up.CertificateId) {
		t.Fatalf("page 1 = %+v", l)
	}
	l = must(c.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{UserName: aws.String("bob"), Marker: l.Marker}))(t)
	if len(l.Certificates) != 1 || l.IsTruncated {
		t.Fatalf("page 2 = %+v", l)
	}
	must(c.UpdateSigningCertificate(ctx, &iamsdk.UpdateSigningCertificateInput{UserName: aws.String("bob"), CertificateId: up.CertificateId, Status: iamtypes.StatusTypeInactive}))(t)
	l = must(c.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{UserName: aws.String("bob")}))(t)
	if l.Certificates[0].Status != iamtypes.StatusTypeInactive {
		t.Errorf("status after update = %s", l.Certificates[0].Status)
	}
	// Another user's certificate, and root's, are not bob's.
	_, err = c.DeleteSigningCertificate(ctx, &iamsdk.DeleteSigningCertificateInput{UserName: aws.String("bob"), CertificateId: root.CertificateId})
	wantErr(t, err, "NoSuchEntity", "The Certificate with id "+aws.ToString(root.CertificateId)+" cannot be found.")

	_, err = c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("bob")})
	wantErr(t, err, "DeleteConflict", "Cannot delete entity, must delete certificates first.")
	for _, cert := range l.Certificates {
		must(c.DeleteSigningCertificate(ctx, &iamsdk.DeleteSigningCertificateInput{UserName: aws.String("bob"), CertificateId: cert.CertificateId}))(t)
	}
	must(c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("bob")}))(t)
}

func sshLine(t *testing.T, pub crypto.PublicKey) (string, string) {
	t.Helper()
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(k.Marshal())
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02x", b)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))), strings.Join(hexes, ":")
}

func TestSSHPublicKeys(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("dev")}))(t)
	k2048, k1024 := testRSA(t)
	line, fp := sshLine(t, &k2048.PublicKey)
	up := must(c.UploadSSHPublicKey(ctx, &iamsdk.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(line + " dev@laptop")}))(t).SSHPublicKey
	if !regexp.MustCompile(`^APKA[A-Z2-7]{16}$`).MatchString(aws.ToString(up.SSHPublicKeyId)) || aws.ToString(up.Fingerprint) != fp ||
		aws.ToString(up.SSHPublicKeyBody) != line || up.Status != iamtypes.StatusTypeActive {
		t.Fatalf("uploaded = %+v (fingerprint want %s)", up, fp)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k2048.PublicKey)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	short, _ := sshLine(t, &k1024.PublicKey)
	ecLine, _ := sshLine(t, &ecKey(t).PublicKey)
	tests := []struct {
		name, body, code string
	}{
		{"same key as PEM is a duplicate", pemKey, "DuplicateSSHPublicKey"},
		{"same key again", line, "DuplicateSSHPublicKey"},
		{"unknown encoding", "hello world", "UnrecognizedPublicKeyEncoding"},
		{"PEM of another type", "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n", "UnrecognizedPublicKeyEncoding"},
		{"broken base64", "ssh-rsa AAAA!!!", "InvalidPublicKey"},
		{"too short", short, "InvalidPublicKey"},
		{"not RSA", ecLine, "InvalidPublicKey"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.UploadSSHPublicKey(ctx, &iamsdk.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(tc.body)})
			wantErr(t, err, tc.code, "")
		})
	}
	got := must(c.GetSSHPublicKey(ctx, &iamsdk.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId, Encoding: iamtypes.EncodingTypePem}))(t).SSHPublicKey
	if aws.ToString(got.SSHPublicKeyBody) != pemKey || aws.ToString(got.Fingerprint) != fp {
		t.Errorf("PEM = %q, want %q", aws.ToString(got.SSHPublicKeyBody), pemKey)
	}
	must(c.UpdateSSHPublicKey(ctx, &iamsdk.UpdateSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId, Status: iamtypes.StatusTypeInactive}))(t)
	l := must(c.ListSSHPublicKeys(ctx, &iamsdk.ListSSHPublicKeysInput{UserName: aws.String("dev")}))(t)
	if len(l.SSHPublicKeys) != 1 || l.SSHPublicKeys[0].Status != iamtypes.StatusTypeInactive || aws.ToString(l.SSHPublicKeys[0].UserName) != "dev" {
		t.Fatalf("list = %+v", l.SSHPublicKeys)
	}
	// Five per user: four more distinct keys fit, the sixth does not.
	for i := 0; i < 4; i++ {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := sshLine(t, &k.PublicKey)
		must(c.UploadSSHPublicKey(ctx, &iamsdk.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(l)}))(t)
	}
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	sixth, _ := sshLine(t, &k.PublicKey)
	_, err := c.UploadSSHPublicKey(ctx, &iamsdk.UploadSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyBody: aws.String(sixth)})
	wantErr(t, err, "LimitExceeded", "")

	_, err = c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("dev")})
	wantErr(t, err, "DeleteConflict", "Cannot delete entity, must remove referenced objects first.")
	_, err = c.GetSSHPublicKey(ctx, &iamsdk.GetSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: aws.String("APKAAAAAAAAAAAAAAAAA"), Encoding: iamtypes.EncodingTypeSsh})
	wantErr(t, err, "NoSuchEntity", "The Public Key with id APKAAAAAAAAAAAAAAAAA cannot be found.")
	must(c.DeleteSSHPublicKey(ctx, &iamsdk.DeleteSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId}))(t)
	_, err = c.DeleteSSHPublicKey(ctx, &iamsdk.DeleteSSHPublicKeyInput{UserName: aws.String("dev"), SSHPublicKeyId: up.SSHPublicKeyId})
	wantErr(t, err, "NoSuchEntity", "")
}

func TestServiceSpecificCredentials(t *testing.T) {
	_, c := newClient(t)
	for _, u := range []string{"ann", "ben"} {
		must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(u)}))(t)
	}
	cred := must(c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String("ann"),
		ServiceName: aws.String("codecommit.amazonaws.com")}))(t).ServiceSpecificCredential
	if aws.ToString(cred.ServiceUserName) != "ann-at-"+iamtest.Account || len(aws.ToString(cred.ServicePassword)) != 44 ||
		!regexp.MustCompile(`^ACCA[A-Z2-7]{17}$`).MatchString(aws.ToString(cred.ServiceSpecificCredentialId)) || cred.Status != iamtypes.StatusTypeActive {
		t.Fatalf("credential = %+v", cred)
	}
	must(c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String("ann"), ServiceName: aws.String("codecommit.amazonaws.com")}))(t)
	must(c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String("ann"), ServiceName: aws.String("cassandra.amazonaws.com")}))(t)
	must(c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String("ben"), ServiceName: aws.String("cassandra.amazonaws.com")}))(t)
	tests := []struct {
		name, user, service, code string
	}{
		{"third for one service", "ann", "codecommit.amazonaws.com", "LimitExceeded"},
		{"unsupported service", "ann", "s3.amazonaws.com", "NoSuchEntity"},
		{"no such user", "nobody", "codecommit.amazonaws.com", "NoSuchEntity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String(tc.user), ServiceName: aws.String(tc.service)})
			wantErr(t, err, tc.code, "")
		})
	}
	lists := []struct {
		name string
		in   iamsdk.ListServiceSpecificCredentialsInput
		want int
	}{
		{"ann", iamsdk.ListServiceSpecificCredentialsInput{UserName: aws.String("ann")}, 3},
		{"ann codecommit", iamsdk.ListServiceSpecificCredentialsInput{UserName: aws.String("ann"), ServiceName: aws.String("codecommit.amazonaws.com")}, 2},
		{"all users", iamsdk.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true)}, 4},
		{"all users cassandra", iamsdk.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), ServiceName: aws.String("cassandra.amazonaws.com")}, 2},
		{"root has none", iamsdk.ListServiceSpecificCredentialsInput{}, 0},
	}
	for _, tc := range lists {
		t.Run("list "+tc.name, func(t *testing.T) {
			l := must(c.ListServiceSpecificCredentials(ctx, &tc.in))(t)
			if len(l.ServiceSpecificCredentials) != tc.want {
				t.Errorf("got %d, want %d", len(l.ServiceSpecificCredentials), tc.want)
			}
		})
	}
	reset := must(c.ResetServiceSpecificCredential(ctx, &iamsdk.ResetServiceSpecificCredentialInput{UserName: aws.String("ann"),
		ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId}))(t).ServiceSpecificCredential
	if aws.ToString(reset.ServicePassword) == aws.ToString(cred.ServicePassword) || aws.ToString(reset.ServiceUserName) != aws.ToString(cred.ServiceUserName) {
		t.Errorf("reset = %+v", reset)
	}
	must(c.UpdateServiceSpecificCredential(ctx, &iamsdk.UpdateServiceSpecificCredentialInput{UserName: aws.String("ann"),
		ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId, Status: iamtypes.StatusTypeInactive}))(t)
	_, err := c.DeleteServiceSpecificCredential(ctx, &iamsdk.DeleteServiceSpecificCredentialInput{UserName: aws.String("ben"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId})
	wantErr(t, err, "NoSuchEntity", "No such credential "+aws.ToString(cred.ServiceSpecificCredentialId)+" exists")
	_, err = c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("ben")})
	wantErr(t, err, "DeleteConflict", "Cannot delete entity, must remove referenced objects first.")
	must(c.DeleteServiceSpecificCredential(ctx, &iamsdk.DeleteServiceSpecificCredentialInput{UserName: aws.String("ann"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId}))(t)
}

func TestServerCertificates(t *testing.T) {
	h, kr := harnessWithKeyring(t)
	c := iamtest.IAM(h.Root())
	key := ecKey(t)
	now := time.Now().Add(-time.Hour)
	body, chain := testLeaf(t, key, now)
	keyDER, _ := x509.MarshalECPrivateKey(key)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	up := must(c.UploadServerCertificate(ctx, &iamsdk.UploadServerCertificateInput{ServerCertificateName: aws.String("www"), Path: aws.String("/web/"),
		CertificateBody: aws.String(body), PrivateKey: aws.String(keyPEM), CertificateChain: aws.String(chain),
		Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	md := up.ServerCertificateMetadata
	if !regexp.MustCompile(`^ASCA[A-Z2-7]{17}$`).MatchString(aws.ToString(md.ServerCertificateId)) ||
		aws.ToString(md.Arn) != "arn:aws:iam::"+iamtest.Account+":server-certificate/web/www" ||
		!md.Expiration.Equal(now.Add(24*time.Hour).Truncate(time.Second)) || len(up.Tags) != 1 {
		t.Fatalf("uploaded = %+v", md)
	}
	// The private key is stored sealed, never in clear.
	err := h.Node.Store.Read(ctx, func(tx store.Tx) error {
		r, err := tx.Record(ctx, iamtest.Account, "server-cert", "www")
		if err != nil {
			return err
		}
		if strings.Contains(string(r.Data), "PRIVATE KEY") {
			t.Error("private key stored in clear")
		}
		var v struct{ PrivateKey []byte }
		if err := json.Unmarshal(r.Data, &v); err != nil {
			return err
		}
		clear, err := kr.Open(v.PrivateKey, []byte("iamd/server-certificate-key/"+iamtest.Account+"/"+aws.ToString(md.ServerCertificateId)))
		if err != nil || string(clear) != keyPEM {
			t.Errorf("sealed key opens to %q, %v", clear, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	otherDER, _ := x509.MarshalPKCS8PrivateKey(ecKey(t))
	otherKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: otherDER}))
	tests := []struct {
		name, cname, body, key, chain, code string
	}{
		{"name taken, other case", "WWW", body, keyPEM, "", "EntityAlreadyExists"},
		{"key of another certificate", "x", body, otherKey, "", "KeyPairMismatch"},
		{"malformed certificate", "x", "nope", keyPEM, "", "MalformedCertificate"},
		{"malformed key", "x", body, "nope", "", "MalformedCertificate"},
		{"malformed chain", "x", body, keyPEM, "nope", "MalformedCertificate"},
		{"chain of another CA", "x", body, keyPEM, testCert(t, ecKey(t), "other", now), "MalformedCertificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &iamsdk.UploadServerCertificateInput{ServerCertificateName: aws.String(tc.cname), CertificateBody: aws.String(tc.body), PrivateKey: aws.String(tc.key)}
			if tc.chain != "" {
				in.CertificateChain = aws.String(tc.chain)
			}
			_, err := c.UploadServerCertificate(ctx, in)
			wantErr(t, err, tc.code, "")
		})
	}
	got := must(c.GetServerCertificate(ctx, &iamsdk.GetServerCertificateInput{ServerCertificateName: aws.String("WWW")}))(t).ServerCertificate
	if aws.ToString(got.CertificateBody) != strings.TrimSpace(body) || aws.ToString(got.CertificateChain) != strings.TrimSpace(chain) || len(got.Tags) != 1 {
		t.Errorf("get = %+v", got)
	}
	// A second certificate at the root path, then paging and path filtering.
	k2 := ecKey(t)
	k2DER, _ := x509.MarshalECPrivateKey(k2)
	must(c.UploadServerCertificate(ctx, &iamsdk.UploadServerCertificateInput{ServerCertificateName: aws.String("api"),
		CertificateBody: aws.String(testCert(t, k2, "api", now)), PrivateKey: aws.String(string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: k2DER})))}))(t)
	l := must(c.ListServerCertificates(ctx, &iamsdk.ListServerCertificatesInput{MaxItems: aws.Int32(1)}))(t)
	if len(l.ServerCertificateMetadataList) != 1 || !l.IsTruncated || aws.ToString(l.ServerCertificateMetadataList[0].ServerCertificateName) != "api" {
		t.Fatalf("page 1 = %+v", l)
	}
	l = must(c.ListServerCertificates(ctx, &iamsdk.ListServerCertificatesInput{Marker: l.Marker}))(t)
	if len(l.ServerCertificateMetadataList) != 1 || l.IsTruncated || aws.ToString(l.ServerCertificateMetadataList[0].ServerCertificateName) != "www" {
		t.Fatalf("page 2 = %+v", l)
	}
	if l := must(c.ListServerCertificates(ctx, &iamsdk.ListServerCertificatesInput{PathPrefix: aws.String("/web/")}))(t); len(l.ServerCertificateMetadataList) != 1 {
		t.Errorf("under /web/: %d", len(l.ServerCertificateMetadataList))
	}
	_, err = c.ListServerCertificates(ctx, &iamsdk.ListServerCertificatesInput{Marker: aws.String("bogus")})
	wantErr(t, err, "InvalidInput", "Invalid Marker.")

	_, err = c.UpdateServerCertificate(ctx, &iamsdk.UpdateServerCertificateInput{ServerCertificateName: aws.String("www"), NewServerCertificateName: aws.String("API")})
	wantErr(t, err, "EntityAlreadyExists", "The Server Certificate with name API already exists.")
	must(c.UpdateServerCertificate(ctx, &iamsdk.UpdateServerCertificateInput{ServerCertificateName: aws.String("www"), NewServerCertificateName: aws.String("site"), NewPath: aws.String("/")}))(t)
	site := must(c.GetServerCertificate(ctx, &iamsdk.GetServerCertificateInput{ServerCertificateName: aws.String("site")}))(t).ServerCertificate.ServerCertificateMetadata
	if aws.ToString(site.ServerCertificateId) != aws.ToString(md.ServerCertificateId) || aws.ToString(site.Path) != "/" {
		t.Errorf("after rename: %+v", site)
	}
	must(c.TagServerCertificate(ctx, &iamsdk.TagServerCertificateInput{ServerCertificateName: aws.String("site"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))(t)
	must(c.UntagServerCertificate(ctx, &iamsdk.UntagServerCertificateInput{ServerCertificateName: aws.String("site"), TagKeys: []string{"env"}}))(t)
	tags := must(c.ListServerCertificateTags(ctx, &iamsdk.ListServerCertificateTagsInput{ServerCertificateName: aws.String("site")}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "team" {
		t.Errorf("tags = %+v", tags)
	}
	must(c.DeleteServerCertificate(ctx, &iamsdk.DeleteServerCertificateInput{ServerCertificateName: aws.String("site")}))(t)
	_, err = c.GetServerCertificate(ctx, &iamsdk.GetServerCertificateInput{ServerCertificateName: aws.String("site")})
	wantErr(t, err, "NoSuchEntity", "The Server Certificate with name site cannot be found.")
}

// The per-user quota holds under concurrent uploads: the count and the insert share one write
// transaction.
func TestSigningCertificateQuotaConcurrent(t *testing.T) {
	_, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("racer")}))(t)
	now := time.Now().Add(-time.Hour)
	const n = 8
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = testCert(t, ecKey(t), fmt.Sprint("c", i), now)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.UploadSigningCertificate(ctx, &iamsdk.UploadSigningCertificateInput{UserName: aws.String("racer"), CertificateBody: aws.String(bodies[i])})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantErr(t, err, "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2")
	}
	listed := must(c.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{UserName: aws.String("racer")}))(t)
	if ok != 2 || len(listed.Certificates) != 2 {
		t.Errorf("%d uploads succeeded, %d stored; want 2 and 2", ok, len(listed.Certificates))
	}
}

// Without UserName, the credential operations act on the calling IAM user.
func TestCredentialsOfTheCaller(t *testing.T) {
	h, c := newClient(t)
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("self")}))(t)
	must(c.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("self"), PolicyName: aws.String("own"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*SigningCertificate*","iam:*SSHPublicKey*","iam:*ServiceSpecificCredential*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))(t)
	key := must(c.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("self")}))(t).AccessKey
	me := iamtest.IAM(h.Config(aws.ToString(key.AccessKeyId), aws.ToString(key.SecretAccessKey), ""))
	cert := must(me.UploadSigningCertificate(ctx, &iamsdk.UploadSigningCertificateInput{CertificateBody: aws.String(testCert(t, ecKey(t), "me", time.Now().Add(-time.Hour)))}))(t).Certificate
	if aws.ToString(cert.UserName) != "self" {
		t.Errorf("certificate user = %q, want self", aws.ToString(cert.UserName))
	}
	k2048, _ := testRSA(t)
	line, _ := sshLine(t, &k2048.PublicKey)
	must(me.UploadSSHPublicKey(ctx, &iamsdk.UploadSSHPublicKeyInput{UserName: aws.String("self"), SSHPublicKeyBody: aws.String(line)}))(t)
	must(me.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String("self"), ServiceName: aws.String("codecommit.amazonaws.com")}))(t)
	tests := []struct {
		name string
		n    func() int
	}{
		{"signing certificates", func() int {
			return len(must(me.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{}))(t).Certificates)
		}},
		{"ssh keys", func() int {
			return len(must(me.ListSSHPublicKeys(ctx, &iamsdk.ListSSHPublicKeysInput{}))(t).SSHPublicKeys)
		}},
		{"service credentials", func() int {
			return len(must(me.ListServiceSpecificCredentials(ctx, &iamsdk.ListServiceSpecificCredentialsInput{}))(t).ServiceSpecificCredentials)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n := tc.n(); n != 1 {
				t.Errorf("listed %d, want 1", n)
			}
		})
	}
	// Another user's credentials stay out of reach of the policy.
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("other")}))(t)
	_, err := me.ListSigningCertificates(ctx, &iamsdk.ListSigningCertificatesInput{UserName: aws.String("other")})
	wantErr(t, err, "AccessDenied", "")
}

// Long-term API keys (Bedrock, CloudWatch Logs): alias and secret instead of user name and
// password, optional CredentialAgeDays, listed with their expiry, reset in place, sealed at rest.
func TestServiceAPIKeys(t *testing.T) {
	h, kr := harnessWithKeyring(t)
	c := iamtest.IAM(h.Root())
	for _, u := range []string{"ann", "ben"} {
		must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(u)}))(t)
	}
	secrets := map[string]string{} // credential id → the secret last returned
	creates := []struct {
		name, user, service, prefix string
		days                        *int32
	}{
		{"bedrock never expires", "ann", "bedrock.amazonaws.com", "ABSK", nil},
		{"bedrock 30 days", "ann", "bedrock.amazonaws.com", "ABSK", aws.Int32(30)},
		{"logs one day", "ann", "logs.amazonaws.com", "ACWL", aws.Int32(1)},
		{"logs longest", "ben", "logs.amazonaws.com", "ACWL", aws.Int32(36600)},
	}
	for _, tc := range creates {
		t.Run("create "+tc.name, func(t *testing.T) {
			cred := must(c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String(tc.user),
				ServiceName: aws.String(tc.service), CredentialAgeDays: tc.days}))(t).ServiceSpecificCredential
			alias := tc.user + "-at-" + iamtest.Account
			secret := aws.ToString(cred.ServiceCredentialSecret)
			if aws.ToString(cred.ServiceCredentialAlias) != alias || !strings.HasPrefix(secret, tc.prefix) ||
				cred.ServiceUserName != nil || cred.ServicePassword != nil || cred.Status != iamtypes.StatusTypeActive ||
				aws.ToString(cred.ServiceName) != tc.service || aws.ToString(cred.UserName) != tc.user {
				t.Fatalf("credential = %+v", cred)
			}
			if k, err := iam.ParseServiceAPIKey(secret); err != nil || k.Alias != alias {
				t.Errorf("secret %q parses to %+v, %v", secret, k, err)
			}
			switch {
			case tc.days == nil && cred.ExpirationDate != nil:
				t.Errorf("ExpirationDate %s without CredentialAgeDays", cred.ExpirationDate)
			case tc.days != nil && (cred.ExpirationDate == nil ||
				!cred.ExpirationDate.Equal(cred.CreateDate.Add(time.Duration(*tc.days)*24*time.Hour))):
				t.Errorf("ExpirationDate %v, CreateDate %s, days %d", cred.ExpirationDate, cred.CreateDate, *tc.days)
			}
			secrets[aws.ToString(cred.ServiceSpecificCredentialId)] = secret
		})
	}
	refusals := []struct {
		name, user, service, code, msg string
		days                           *int32
	}{
		{"age days for codecommit", "ann", "codecommit.amazonaws.com", "InvalidInput",
			"CredentialAgeDays is not supported for service codecommit.amazonaws.com.", aws.Int32(30)},
		{"age days zero", "ann", "logs.amazonaws.com", "ValidationError",
			"1 validation error detected: Value at 'credentialAgeDays' failed to satisfy constraint: Member must have value greater than or equal to 1", aws.Int32(0)},
		{"age days above 36600", "ann", "logs.amazonaws.com", "ValidationError",
			"1 validation error detected: Value at 'credentialAgeDays' failed to satisfy constraint: Member must have value less than or equal to 36600", aws.Int32(36601)},
		{"third bedrock key", "ann", "bedrock.amazonaws.com", "LimitExceeded", "", nil},
		{"unsupported service", "ann", "s3.amazonaws.com", "NoSuchEntity",
			"No such service s3.amazonaws.com is supported for Service Specific Credentials", nil},
		{"no such user", "nobody", "bedrock.amazonaws.com", "NoSuchEntity", "", nil},
	}
	for _, tc := range refusals {
		t.Run("refuse "+tc.name, func(t *testing.T) {
			_, err := c.CreateServiceSpecificCredential(ctx, &iamsdk.CreateServiceSpecificCredentialInput{UserName: aws.String(tc.user),
				ServiceName: aws.String(tc.service), CredentialAgeDays: tc.days})
			wantErr(t, err, tc.code, tc.msg)
		})
	}

	// Two days on, the one-day logs key has expired: still listed, Status as stored, its
	// ExpirationDate in the past.
	h.Clock.Advance(48 * time.Hour)
	now := time.Now().Add(48 * time.Hour)
	c = iamsdk.NewFromConfig(h.Root(), func(o *iamsdk.Options) { o.HTTPSignerV4 = skewedSigner{v4.NewSigner(), 48 * time.Hour} })
	lists := []struct {
		name      string
		in        iamsdk.ListServiceSpecificCredentialsInput
		want      []string // user/service of each item, in order
		truncated bool
	}{
		{"ann bedrock", iamsdk.ListServiceSpecificCredentialsInput{UserName: aws.String("ann"), ServiceName: aws.String("bedrock.amazonaws.com")},
			[]string{"ann/bedrock.amazonaws.com", "ann/bedrock.amazonaws.com"}, false},
		{"all users logs", iamsdk.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), ServiceName: aws.String("logs.amazonaws.com")},
			[]string{"ann/logs.amazonaws.com", "ben/logs.amazonaws.com"}, false},
		{"all users first page", iamsdk.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), MaxItems: aws.Int32(3)},
			[]string{"ann/bedrock.amazonaws.com", "ann/bedrock.amazonaws.com", "ann/logs.amazonaws.com"}, true},
	}
	for _, tc := range lists {
		t.Run("list "+tc.name, func(t *testing.T) {
			l := must(c.ListServiceSpecificCredentials(ctx, &tc.in))(t)
			var got []string
			for _, m := range l.ServiceSpecificCredentials {
				got = append(got, aws.ToString(m.UserName)+"/"+aws.ToString(m.ServiceName))
				if aws.ToString(m.ServiceCredentialAlias) != aws.ToString(m.UserName)+"-at-"+iamtest.Account || m.ServiceUserName != nil ||
					m.Status != iamtypes.StatusTypeActive {
					t.Errorf("item %+v", m)
				}
				if aws.ToString(m.ServiceName) == "logs.amazonaws.com" && aws.ToString(m.UserName) == "ann" &&
					(m.ExpirationDate == nil || !m.ExpirationDate.Before(now)) {
					t.Errorf("expired key's ExpirationDate = %v, now %s", m.ExpirationDate, now)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") || l.IsTruncated != tc.truncated || (l.Marker != nil) != tc.truncated {
				t.Errorf("got %v truncated %v marker %v, want %v", got, l.IsTruncated, aws.ToString(l.Marker), tc.want)
			}
			if tc.truncated {
				rest := tc.in
				rest.Marker = l.Marker
				next := must(c.ListServiceSpecificCredentials(ctx, &rest))(t)
				if len(next.ServiceSpecificCredentials) != 1 || aws.ToString(next.ServiceSpecificCredentials[0].UserName) != "ben" || next.IsTruncated {
					t.Errorf("second page = %+v", next.ServiceSpecificCredentials)
				}
			}
		})
	}
	_, err := c.ListServiceSpecificCredentials(ctx, &iamsdk.ListServiceSpecificCredentialsInput{AllUsers: aws.Bool(true), UserName: aws.String("ann")})
	wantErr(t, err, "InvalidInput", "AllUsers cannot be specified together with UserName.")

	// Reset issues a new key under the same alias and expiry.
	ann := must(c.ListServiceSpecificCredentials(ctx, &iamsdk.ListServiceSpecificCredentialsInput{UserName: aws.String("ann"),
		ServiceName: aws.String("bedrock.amazonaws.com")}))(t).ServiceSpecificCredentials[1]
	id := aws.ToString(ann.ServiceSpecificCredentialId)
	reset := must(c.ResetServiceSpecificCredential(ctx, &iamsdk.ResetServiceSpecificCredentialInput{UserName: aws.String("ann"),
		ServiceSpecificCredentialId: aws.String(id)}))(t).ServiceSpecificCredential
	if s := aws.ToString(reset.ServiceCredentialSecret); s == secrets[id] || !strings.HasPrefix(s, "ABSK") || reset.ServicePassword != nil ||
		aws.ToString(reset.ServiceCredentialAlias) != "ann-at-"+iamtest.Account || !reset.ExpirationDate.Equal(*ann.ExpirationDate) {
		t.Errorf("reset = %+v, was %+v", reset, ann)
	}
	secrets[id] = aws.ToString(reset.ServiceCredentialSecret)

	// Every secret is sealed at rest under its credential's id and opens to the last one issued.
	err = h.Node.Store.Read(ctx, func(tx store.Tx) error {
		for id, secret := range secrets {
			r, err := tx.Record(ctx, iamtest.Account, "service-cred", id)
			if err != nil {
				return err
			}
			if strings.Contains(string(r.Data), secret) || strings.Contains(string(r.Data), secret[4:20]) {
				t.Errorf("%s: secret stored in clear", id)
			}
			var v struct{ Password []byte }
			if err := json.Unmarshal(r.Data, &v); err != nil {
				return err
			}
			clear, err := kr.Open(v.Password, []byte("iamd/service-credential/"+iamtest.Account+"/"+id))
			if err != nil || string(clear) != secret {
				t.Errorf("%s: sealed secret opens to %q, %v", id, clear, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// skewedSigner signs as of a clock moved by off, the node's clock after Clock.Advance.
type skewedSigner struct {
	*v4.Signer
	off time.Duration
}

func (s skewedSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string,
	at time.Time, opts ...func(*v4.SignerOptions)) error {
	return s.Signer.SignHTTP(ctx, creds, r, payloadHash, service, region, at.Add(s.off), opts...)
}
