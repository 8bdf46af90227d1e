package iamsvc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Per-user credentials kept as records owned by the user's unique id: X.509 signing
// certificates, SSH public keys and service-specific credentials. Owning the records keeps
// DeleteUser from removing a user under them (the store refuses; DeleteUser answers first in
// AWS's words). Root's signing certificates are records without an owner (the store's owner
// must be a user); their data names the account id as owner.

// credOwner is whose credentials a request means: the named user, or the caller.
type credOwner struct {
	id   string // owner id of the records: the user's unique id, or the account id for root
	name string // the user's name as stored; "" for root
}

// record is the store's owner of the records: "" for root.
func (o credOwner) record() string {
	if o.name == "" {
		return ""
	}
	return o.id
}

// resolveOwner reads the user (name given or the calling user); rootOK lets root credentials
// without a UserName mean the root user.
func resolveOwner(ctx context.Context, tx store.Tx, account, name string, root, rootOK bool) (credOwner, error) {
	if root {
		if !rootOK {
			return credOwner{}, awserr.Validation("Must specify userName when calling with non-User credentials")
		}
		return credOwner{id: account}, nil
	}
	u, err := getUser(ctx, tx, account, name)
	if err != nil {
		return credOwner{}, err
	}
	return credOwner{id: u.UserID, name: u.UserName}, nil
}

// checkStatus refuses the model's third status, Expired, which only time can set.
func checkStatus(status string) error {
	if status != iam.StatusActive && status != iam.StatusInactive {
		return awserr.InvalidInput("Status must be Active or Inactive.")
	}
	return nil
}

// ownedRecords decodes the owner's records of kind, oldest first (AWS lists credentials in
// upload order).
func ownedRecords[T any](ctx context.Context, tx store.Tx, account, kind string, o credOwner, date func(T) time.Time) ([]T, error) {
	var rs []store.Record
	var err error
	if o.record() == "" {
		rs, err = allRecords(ctx, tx, account, kind)
		rs = slices.DeleteFunc(rs, func(r store.Record) bool { return r.OwnerID != "" })
	} else {
		rs, err = tx.RecordsByOwner(ctx, account, kind, o.id)
	}
	if err != nil {
		return nil, err
	}
	out, err := decodeRecords[T](rs)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return date(out[i]).Before(date(out[j])) })
	return out, nil
}

// ---- X.509 signing certificates ----

type signingCert struct {
	ID          string
	OwnerID     string
	Body        string
	Fingerprint []byte // SHA-256 of the DER: the same certificate twice is a duplicate
	Status      string
	UploadDate  time.Time
	Created     time.Time // UploadDate at full precision: the list order of uploads in one second
}

func noSuchSigningCert(id string) error {
	return awserr.NoSuchEntity("The Certificate with id " + id + " cannot be found.")
}

func (c signingCert) out(user string) iamapi.SigningCertificate {
	return iamapi.SigningCertificate{UserName: user, CertificateId: c.ID, CertificateBody: c.Body, Status: c.Status, UploadDate: c.UploadDate}
}

// UploadSigningCertificate stores an X.509 certificate for a user (or root), Active, at most two
// per user; the same certificate may belong to one user of the account only.
func (s *Service) UploadSigningCertificate(ctx context.Context, in *iamapi.UploadSigningCertificateInput) (*iamapi.UploadSigningCertificateOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	now := s.now()
	cert, err := iam.ParseSigningCertificate(in.CertificateBody, now)
	if err != nil {
		return nil, err
	}
	account := p.Account()
	c := signingCert{ID: iam.NewSigningCertificateID(), Body: in.CertificateBody, Fingerprint: cert.Fingerprint[:], Status: iam.StatusActive, UploadDate: now, Created: s.cfg.Now().UTC()}
	var o credOwner
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		if o, err = resolveOwner(ctx, tx, account, user, root, true); err != nil {
			return err
		}
		all, err := allRecords(ctx, tx, account, kindSigningCert)
		if err != nil {
			return err
		}
		existing, err := decodeRecords[signingCert](all)
		if err != nil {
			return err
		}
		mine := 0
		for _, e := range existing {
			if string(e.Fingerprint) == string(c.Fingerprint) {
				return awserr.New(http.StatusConflict, "DuplicateCertificate",
					"The request was rejected because the same certificate is associated with an IAM user in the account.")
			}
			if e.OwnerID == o.id {
				mine++
			}
		}
		if mine >= iam.MaxSigningCertsPerUser {
			return quota("CertificatesPerUser", iam.MaxSigningCertsPerUser)
		}
		c.OwnerID = o.id
		return writeRecord(ctx, tx, true, account, kindSigningCert, c.ID, o.record(), c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UploadSigningCertificateOutput{Certificate: ptr(c.out(o.name))}, nil
}

// ListSigningCertificates lists a user's (or root's) certificates, paged.
func (s *Service) ListSigningCertificates(ctx context.Context, in *iamapi.ListSigningCertificatesInput) (*iamapi.ListSigningCertificatesOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	var o credOwner
	var certs []signingCert
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if o, err = resolveOwner(ctx, tx, p.Account(), user, root, true); err != nil {
			return err
		}
		certs, err = signingCertsOf(ctx, tx, p.Account(), o)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, trunc, next, err := pageSlice(certs, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSigningCertificatesOutput{Certificates: make([]iamapi.SigningCertificate, len(page)), IsTruncated: ptr(trunc), Marker: next}
	for i, c := range page {
		out.Certificates[i] = c.out(o.name)
	}
	return out, nil
}

// signingCertsOf returns the owner's signing certificates in upload order (credOwner{id:
// account} is root); the credential report's cert_N columns are these.
func signingCertsOf(ctx context.Context, tx store.Tx, account string, o credOwner) ([]signingCert, error) {
	return ownedRecords(ctx, tx, account, kindSigningCert, o, func(c signingCert) time.Time { return c.Created })
}

// changeSigningCert reads the owner's certificate id and applies change (nil: delete it).
func (s *Service) changeSigningCert(ctx context.Context, userName, id string, change func(*signingCert)) error {
	p, err := s.caller(ctx)
	if err != nil {
		return err
	}
	user, root, err := callerUser(p, userName)
	if err != nil {
		return err
	}
	account := p.Account()
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		o, err := resolveOwner(ctx, tx, account, user, root, true)
		if err != nil {
			return err
		}
		var c signingCert
		if err := readRecord(ctx, tx, account, kindSigningCert, id, &c, noSuchSigningCert(id)); err != nil {
			return err
		}
		if c.OwnerID != o.id || c.ID != id {
			return noSuchSigningCert(id)
		}
		if change == nil {
			return tx.DeleteRecord(ctx, account, kindSigningCert, id)
		}
		change(&c)
		return writeRecord(ctx, tx, false, account, kindSigningCert, id, o.record(), c)
	})
}

// UpdateSigningCertificate activates or deactivates a certificate.
func (s *Service) UpdateSigningCertificate(ctx context.Context, in *iamapi.UpdateSigningCertificateInput) (*iamapi.UpdateSigningCertificateOutput, error) {
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	if err := s.changeSigningCert(ctx, in.UserName, in.CertificateId, func(c *signingCert) { c.Status = in.Status }); err != nil {
		return nil, err
	}
	return &iamapi.UpdateSigningCertificateOutput{}, nil
}

// DeleteSigningCertificate deletes a certificate.
func (s *Service) DeleteSigningCertificate(ctx context.Context, in *iamapi.DeleteSigningCertificateInput) (*iamapi.DeleteSigningCertificateOutput, error) {
	if err := s.changeSigningCert(ctx, in.UserName, in.CertificateId, nil); err != nil {
		return nil, err
	}
	return &iamapi.DeleteSigningCertificateOutput{}, nil
}

// ---- SSH public keys ----

type sshKey struct {
	ID          string
	OwnerID     string
	Wire        string // the key's SSH wire encoding, base64
	Fingerprint string
	Status      string
	UploadDate  time.Time
	Created     time.Time // UploadDate at full precision: the list order of uploads in one second
}

func noSuchSSHKey(id string) error {
	return awserr.NoSuchEntity("The Public Key with id " + id + " cannot be found.")
}

func (k sshKey) metadata(user string) iamapi.SSHPublicKeyMetadata {
	return iamapi.SSHPublicKeyMetadata{UserName: user, SSHPublicKeyId: k.ID, Status: k.Status, UploadDate: k.UploadDate}
}

func (k sshKey) out(user, encoding string) (*iamapi.SSHPublicKey, error) {
	parsed, err := iam.ParseSSHWire(k.Wire)
	if err != nil {
		return nil, err
	}
	body, err := parsed.Encode(encoding)
	if err != nil {
		return nil, err
	}
	return &iamapi.SSHPublicKey{UserName: user, SSHPublicKeyId: k.ID, Fingerprint: k.Fingerprint, SSHPublicKeyBody: body,
		Status: k.Status, UploadDate: k.UploadDate}, nil
}

// UploadSSHPublicKey stores an RSA public key (OpenSSH or PEM form) for a user, at most five.
func (s *Service) UploadSSHPublicKey(ctx context.Context, in *iamapi.UploadSSHPublicKeyInput) (*iamapi.UploadSSHPublicKeyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	parsed, err := iam.ParseSSHPublicKey(in.SSHPublicKeyBody)
	if err != nil {
		return nil, err
	}
	account := p.Account()
	k := sshKey{ID: iam.NewSSHPublicKeyID(), Wire: parsed.SSHWire(), Fingerprint: parsed.Fingerprint, Status: iam.StatusActive, UploadDate: s.now(), Created: s.cfg.Now().UTC()}
	var o credOwner
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		if o, err = resolveOwner(ctx, tx, account, in.UserName, false, false); err != nil {
			return err
		}
		mine, err := ownedRecords(ctx, tx, account, kindSSHKey, o, func(k sshKey) time.Time { return k.Created })
		if err != nil {
			return err
		}
		for _, e := range mine {
			if e.Fingerprint == k.Fingerprint {
				return awserr.New(http.StatusBadRequest, "DuplicateSSHPublicKey",
					"The request was rejected because the SSH public key is already associated with the specified IAM user.")
			}
		}
		if len(mine) >= iam.MaxSSHPublicKeysPerUser {
			return quota("SSHPublicKeysPerUser", iam.MaxSSHPublicKeysPerUser)
		}
		k.OwnerID = o.id
		return writeRecord(ctx, tx, true, account, kindSSHKey, k.ID, o.id, k)
	})
	if err != nil {
		return nil, err
	}
	out, err := k.out(o.name, "SSH")
	if err != nil {
		return nil, err
	}
	return &iamapi.UploadSSHPublicKeyOutput{SSHPublicKey: out}, nil
}

// readSSHKey reads a user's key inside tx.
func readSSHKey(ctx context.Context, tx store.Tx, account, userName, id string) (credOwner, sshKey, error) {
	o, err := resolveOwner(ctx, tx, account, userName, false, false)
	if err != nil {
		return o, sshKey{}, err
	}
	var k sshKey
	if err := readRecord(ctx, tx, account, kindSSHKey, id, &k, noSuchSSHKey(id)); err != nil {
		return o, k, err
	}
	if k.OwnerID != o.id || k.ID != id {
		return o, sshKey{}, noSuchSSHKey(id)
	}
	return o, k, nil
}

// GetSSHPublicKey returns a key in the requested encoding (SSH or PEM).
func (s *Service) GetSSHPublicKey(ctx context.Context, in *iamapi.GetSSHPublicKeyInput) (*iamapi.GetSSHPublicKeyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var o credOwner
	var k sshKey
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		o, k, err = readSSHKey(ctx, tx, p.Account(), in.UserName, in.SSHPublicKeyId)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := k.out(o.name, in.Encoding)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetSSHPublicKeyOutput{SSHPublicKey: out}, nil
}

// ListSSHPublicKeys lists a user's keys (UserName absent: the calling user's), paged.
func (s *Service) ListSSHPublicKeys(ctx context.Context, in *iamapi.ListSSHPublicKeysInput) (*iamapi.ListSSHPublicKeysOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	var o credOwner
	var keys []sshKey
	if !root { // the root user has no SSH keys
		err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
			var err error
			if o, err = resolveOwner(ctx, tx, p.Account(), user, false, false); err != nil {
				return err
			}
			keys, err = ownedRecords(ctx, tx, p.Account(), kindSSHKey, o, func(k sshKey) time.Time { return k.Created })
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	page, trunc, next, err := pageSlice(keys, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSSHPublicKeysOutput{SSHPublicKeys: make([]iamapi.SSHPublicKeyMetadata, len(page)), IsTruncated: ptr(trunc), Marker: next}
	for i, k := range page {
		out.SSHPublicKeys[i] = k.metadata(o.name)
	}
	return out, nil
}

// UpdateSSHPublicKey activates or deactivates a key.
func (s *Service) UpdateSSHPublicKey(ctx context.Context, in *iamapi.UpdateSSHPublicKeyInput) (*iamapi.UpdateSSHPublicKeyOutput, error) {
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		o, k, err := readSSHKey(ctx, tx, p.Account(), in.UserName, in.SSHPublicKeyId)
		if err != nil {
			return err
		}
		k.Status = in.Status
		return writeRecord(ctx, tx, false, p.Account(), kindSSHKey, k.ID, o.id, k)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateSSHPublicKeyOutput{}, nil
}

// DeleteSSHPublicKey deletes a key.
func (s *Service) DeleteSSHPublicKey(ctx context.Context, in *iamapi.DeleteSSHPublicKeyInput) (*iamapi.DeleteSSHPublicKeyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		_, k, err := readSSHKey(ctx, tx, p.Account(), in.UserName, in.SSHPublicKeyId)
		if err != nil {
			return err
		}
		return tx.DeleteRecord(ctx, p.Account(), kindSSHKey, k.ID)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteSSHPublicKeyOutput{}, nil
}

// ---- service-specific credentials ----

// Two forms share these operations. CodeCommit and Keyspaces credentials are a user name
// (USER-at-ACCOUNT) and a password. Amazon Bedrock and CloudWatch Logs credentials are long-term
// API keys: a public alias and a secret (the key a client sends as a bearer token), optionally
// expiring after CredentialAgeDays. Either way the secret is shown once and stored sealed.

type serviceCred struct {
	ID              string
	OwnerID         string
	ServiceName     string
	ServiceUserName string // password form only
	Alias           string // API-key form only
	// Password is the sealed secret (serviceCredAD): the password, or the whole API key.
	Password   []byte
	Status     string
	CreateDate time.Time
	Created    time.Time // CreateDate at full precision: the list order within one second
	// Expires is the API key's ExpirationDate; zero when it never expires. Expiry does not
	// change Status: the date tells clients (and a verifier) that the key no longer works.
	Expires time.Time `json:",omitzero"`
}

func serviceCredAD(account, id string) []byte {
	return []byte("iamd/service-credential/" + account + "/" + id)
}

func noSuchServiceCred(id string) error {
	return awserr.NoSuchEntity("No such credential " + id + " exists")
}

// noSuchService is AWS's answer for a service name that has no service-specific credentials:
// NoSuchEntity, as answers recorded against AWS show, rather than the modelled
// NotSupportedService.
func noSuchService(name string) error {
	return awserr.NoSuchEntity("No such service " + name + " is supported for Service Specific Credentials")
}

func (c serviceCred) metadata(user string) iamapi.ServiceSpecificCredentialMetadata {
	return iamapi.ServiceSpecificCredentialMetadata{UserName: user, Status: c.Status, ServiceUserName: c.ServiceUserName,
		ServiceCredentialAlias: c.Alias, CreateDate: c.CreateDate, ExpirationDate: c.Expires, ServiceSpecificCredentialId: c.ID,
		ServiceName: c.ServiceName}
}

// out is the credential with its secret, which only Create and Reset return: the password, or
// for an API-key service the key.
func (c serviceCred) out(user, secret string) *iamapi.ServiceSpecificCredential {
	out := &iamapi.ServiceSpecificCredential{CreateDate: c.CreateDate, ExpirationDate: c.Expires, ServiceName: c.ServiceName,
		ServiceUserName: c.ServiceUserName, ServiceCredentialAlias: c.Alias, ServiceSpecificCredentialId: c.ID, UserName: user,
		Status: c.Status}
	if iam.ServiceCredentialServices[c.ServiceName].APIKey {
		out.ServiceCredentialSecret = secret
	} else {
		out.ServicePassword = secret
	}
	return out
}

// newSecret generates the credential's secret for its owner: a password, or an API key that
// embeds the alias.
func (c serviceCred) newSecret() string {
	svc := iam.ServiceCredentialServices[c.ServiceName]
	if svc.APIKey {
		return iam.NewServiceAPIKey(svc.KeyPrefix, c.Alias)
	}
	return iam.NewServiceCredentialPassword()
}

func (s *Service) sealServicePassword(account, id, password string) ([]byte, error) {
	if s.cfg.Keyring == nil {
		return nil, errors.New("iamsvc: no keyring for service-specific credentials")
	}
	return s.cfg.Keyring.Seal([]byte(password), serviceCredAD(account, id)), nil
}

// CreateServiceSpecificCredential issues a credential for one service, at most two per user and
// service: a user name (USER-at-ACCOUNT) and generated password, or for Bedrock and CloudWatch
// Logs an API key (alias and secret) that expires after CredentialAgeDays when given. The secret
// is returned once and stored sealed.
func (s *Service) CreateServiceSpecificCredential(ctx context.Context, in *iamapi.CreateServiceSpecificCredentialInput) (*iamapi.CreateServiceSpecificCredentialOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	svc, ok := iam.ServiceCredentialServices[in.ServiceName]
	if !ok {
		return nil, noSuchService(in.ServiceName)
	}
	now := s.now()
	c := serviceCred{ID: iam.NewID(iam.PrefixServiceCredential), ServiceName: in.ServiceName, Status: iam.StatusActive, CreateDate: now, Created: s.cfg.Now().UTC()}
	if in.CredentialAgeDays != nil {
		if !svc.APIKey {
			// AWS: CredentialAgeDays "is only valid for Bedrock and CloudWatch Logs API keys".
			return nil, awserr.InvalidInput("CredentialAgeDays is not supported for service " + in.ServiceName + ".")
		}
		// The wire decoder enforces the model's range; Go callers reach here without it.
		days := *in.CredentialAgeDays
		bound := ""
		switch {
		case days < iam.MinCredentialAgeDays:
			bound = fmt.Sprintf("greater than or equal to %d", iam.MinCredentialAgeDays)
		case days > iam.MaxCredentialAgeDays:
			bound = fmt.Sprintf("less than or equal to %d", iam.MaxCredentialAgeDays)
		}
		if bound != "" {
			return nil, awserr.Validation(fmt.Sprintf("1 validation error detected: Value at 'credentialAgeDays' failed to satisfy "+
				"constraint: Member must have value %s", bound))
		}
		c.Expires = iam.ServiceCredentialExpiry(now, days)
	}
	account := p.Account()
	var o credOwner
	var secret string
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		if o, err = resolveOwner(ctx, tx, account, in.UserName, false, false); err != nil {
			return err
		}
		mine, err := tx.RecordsByOwner(ctx, account, kindServiceCred, o.id)
		if err != nil {
			return err
		}
		creds, err := decodeRecords[serviceCred](mine)
		if err != nil {
			return err
		}
		n := 0
		for _, e := range creds {
			if e.ServiceName == in.ServiceName {
				n++ // expired and inactive keys count: AWS's quota is on credentials held
			}
		}
		if n >= iam.MaxServiceCredsPerUser {
			return quota("ServiceSpecificCredentialsPerUserPerService", iam.MaxServiceCredsPerUser)
		}
		c.OwnerID = o.id
		if svc.APIKey {
			c.Alias = iam.ServiceCredentialAlias(o.name, account)
		} else {
			c.ServiceUserName = iam.ServiceUserName(o.name, account)
		}
		secret = c.newSecret()
		if c.Password, err = s.sealServicePassword(account, c.ID, secret); err != nil {
			return err
		}
		return writeRecord(ctx, tx, true, account, kindServiceCred, c.ID, o.id, c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateServiceSpecificCredentialOutput{ServiceSpecificCredential: c.out(o.name, secret)}, nil
}

// ListServiceSpecificCredentials lists a user's credentials (or, with AllUsers, every user's),
// optionally for one service, paged. API keys carry their alias and ExpirationDate, past for an
// expired key.
func (s *Service) ListServiceSpecificCredentials(ctx context.Context, in *iamapi.ListServiceSpecificCredentialsInput) (*iamapi.ListServiceSpecificCredentialsOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := iam.ServiceCredentialServices[in.ServiceName]; in.ServiceName != "" && !ok {
		return nil, noSuchService(in.ServiceName)
	}
	all := in.AllUsers != nil && *in.AllUsers
	if all && in.UserName != "" {
		// AWS: AllUsers "cannot be specified together with UserName" (its error text is not
		// documented; this is iamd's wording).
		return nil, awserr.InvalidInput("AllUsers cannot be specified together with UserName.")
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil && !all {
		return nil, err
	}
	account := p.Account()
	type item struct {
		c    serviceCred
		user string
	}
	var items []item
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var rs []store.Record
		var err error
		names := map[string]string{}
		switch {
		case all:
			rs, err = allRecords(ctx, tx, account, kindServiceCred)
		case root:
			return nil // the root user has no service-specific credentials
		default:
			var o credOwner
			if o, err = resolveOwner(ctx, tx, account, user, false, false); err != nil {
				return err
			}
			names[o.id] = o.name
			rs, err = tx.RecordsByOwner(ctx, account, kindServiceCred, o.id)
		}
		if err != nil {
			return err
		}
		creds, err := decodeRecords[serviceCred](rs)
		if err != nil {
			return err
		}
		for _, c := range creds {
			if in.ServiceName != "" && c.ServiceName != in.ServiceName {
				continue
			}
			name, ok := names[c.OwnerID]
			if !ok {
				u, err := tx.UserByID(ctx, account, c.OwnerID)
				if err != nil {
					return err
				}
				name = u.UserName
				names[c.OwnerID] = name
			}
			items = append(items, item{c, name})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(items, func(i, j int) bool {
		if a, b := strings.ToLower(items[i].user), strings.ToLower(items[j].user); a != b {
			return a < b
		}
		return items[i].c.Created.Before(items[j].c.Created)
	})
	page, trunc, next, err := pageSlice(items, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListServiceSpecificCredentialsOutput{ServiceSpecificCredentials: make([]iamapi.ServiceSpecificCredentialMetadata, len(page)),
		IsTruncated: ptr(trunc), Marker: next}
	for i, it := range page {
		out.ServiceSpecificCredentials[i] = it.c.metadata(it.user)
	}
	return out, nil
}

// changeServiceCred reads a credential of the user (UserName absent: the caller) and applies
// change (nil: delete it).
func (s *Service) changeServiceCred(ctx context.Context, userName, id string, change func(*serviceCred) error) (credOwner, serviceCred, error) {
	var o credOwner
	var c serviceCred
	p, err := s.caller(ctx)
	if err != nil {
		return o, c, err
	}
	user, root, err := callerUser(p, userName)
	if err != nil {
		return o, c, err
	}
	if root {
		return o, c, noSuchServiceCred(id)
	}
	account := p.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		if o, err = resolveOwner(ctx, tx, account, user, false, false); err != nil {
			return err
		}
		if err := readRecord(ctx, tx, account, kindServiceCred, id, &c, noSuchServiceCred(id)); err != nil {
			return err
		}
		if c.OwnerID != o.id || c.ID != id {
			return noSuchServiceCred(id)
		}
		if change == nil {
			return tx.DeleteRecord(ctx, account, kindServiceCred, id)
		}
		if err := change(&c); err != nil {
			return err
		}
		return writeRecord(ctx, tx, false, account, kindServiceCred, id, o.id, c)
	})
	return o, c, err
}

// ResetServiceSpecificCredential replaces the secret with a new generated one (a password, or
// an API key with the same alias and expiry); the old one stops working at once.
func (s *Service) ResetServiceSpecificCredential(ctx context.Context, in *iamapi.ResetServiceSpecificCredentialInput) (*iamapi.ResetServiceSpecificCredentialOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var secret string
	o, c, err := s.changeServiceCred(ctx, in.UserName, in.ServiceSpecificCredentialId, func(c *serviceCred) error {
		secret = c.newSecret()
		var err error
		c.Password, err = s.sealServicePassword(p.Account(), c.ID, secret)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ResetServiceSpecificCredentialOutput{ServiceSpecificCredential: c.out(o.name, secret)}, nil
}

// UpdateServiceSpecificCredential activates or deactivates a credential.
func (s *Service) UpdateServiceSpecificCredential(ctx context.Context, in *iamapi.UpdateServiceSpecificCredentialInput) (*iamapi.UpdateServiceSpecificCredentialOutput, error) {
	if err := checkStatus(in.Status); err != nil {
		return nil, err
	}
	_, _, err := s.changeServiceCred(ctx, in.UserName, in.ServiceSpecificCredentialId, func(c *serviceCred) error {
		c.Status = in.Status
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateServiceSpecificCredentialOutput{}, nil
}

// DeleteServiceSpecificCredential deletes a credential.
func (s *Service) DeleteServiceSpecificCredential(ctx context.Context, in *iamapi.DeleteServiceSpecificCredentialInput) (*iamapi.DeleteServiceSpecificCredentialOutput, error) {
	if _, _, err := s.changeServiceCred(ctx, in.UserName, in.ServiceSpecificCredentialId, nil); err != nil {
		return nil, err
	}
	return &iamapi.DeleteServiceSpecificCredentialOutput{}, nil
}
