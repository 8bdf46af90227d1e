package iamsvc

import (
	"context"
	"encoding/base64"
	"errors"
	"sort"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Server certificates: a certificate, its optional chain and its private key, named per account
// (a record named by the certificate name). The private key is checked against the certificate
// at upload, then kept only sealed: no operation ever returns it.

type serverCert struct {
	ID         string
	Name       string
	Path       string
	Body       string
	Chain      string `json:",omitempty"`
	PrivateKey []byte // sealed with serverKeyAD
	UploadDate time.Time
	Expiration time.Time
	Tags       []iam.Tag `json:",omitempty"`
}

func serverKeyAD(account, id string) []byte {
	return []byte("iamd/server-certificate-key/" + account + "/" + id)
}

// serverCertExists is the message of EntityAlreadyExists for a certificate name.
func serverCertExists(name string) string {
	return "The Server Certificate with name " + name + " already exists."
}

func noSuchServerCert(name string) error {
	return awserr.NoSuchEntity("The Server Certificate with name " + name + " cannot be found.")
}

func (c serverCert) metadata(account string) *iamapi.ServerCertificateMetadata {
	return &iamapi.ServerCertificateMetadata{Path: c.Path, ServerCertificateName: c.Name, ServerCertificateId: c.ID,
		Arn: iam.ServerCertificateARN(account, c.Path, c.Name), UploadDate: c.UploadDate, Expiration: c.Expiration}
}

func readServerCert(ctx context.Context, tx store.Tx, account, name string) (serverCert, error) {
	var c serverCert
	err := readRecord(ctx, tx, account, kindServerCert, name, &c, noSuchServerCert(name))
	return c, err
}

// UploadServerCertificate stores a certificate whose private key matches it; the chain, when
// given, must be the PEM certificates that signed it, in order. At most 20 per account.
func (s *Service) UploadServerCertificate(ctx context.Context, in *iamapi.UploadServerCertificateInput) (*iamapi.UploadServerCertificateOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.cfg.Keyring == nil {
		return nil, errors.New("iamsvc: no keyring for server certificate keys")
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	if err := iam.ValidatePath("path", path); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.ValidateTags(tags, iam.ExactTagKeys); err != nil {
		return nil, err
	}
	cert, err := iam.ParseCertificate(in.CertificateBody)
	if err != nil {
		return nil, err
	}
	if err := iam.ParsePrivateKey(in.PrivateKey, cert.X509); err != nil {
		return nil, err
	}
	if in.CertificateChain != "" {
		chain, err := iam.ParseCertificateChain(in.CertificateChain)
		if err != nil {
			return nil, err
		}
		if err := iam.VerifyChain(cert.X509, chain); err != nil {
			return nil, err
		}
	}
	account := p.Account()
	c := serverCert{ID: iam.NewID(iam.PrefixServerCertificate), Name: in.ServerCertificateName, Path: path,
		Body: strings.TrimSpace(in.CertificateBody), Chain: strings.TrimSpace(in.CertificateChain),
		UploadDate: s.now(), Expiration: cert.X509.NotAfter.UTC(), Tags: tags}
	c.PrivateKey = s.cfg.Keyring.Seal([]byte(in.PrivateKey), serverKeyAD(account, c.ID))
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		n, err := tx.CountRecords(ctx, account, kindServerCert)
		if err != nil {
			return err
		}
		if n >= iam.MaxServerCertsPerAccount {
			return quota("ServerCertificatesPerAccount", iam.MaxServerCertsPerAccount)
		}
		return exists(writeRecord(ctx, tx, true, account, kindServerCert, c.Name, "", c), serverCertExists(c.Name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UploadServerCertificateOutput{ServerCertificateMetadata: c.metadata(account), Tags: tagsOut(tags)}, nil
}

// serverCertRead reads a certificate by name.
func (s *Service) serverCertRead(ctx context.Context, name string) (string, serverCert, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return "", serverCert{}, err
	}
	var c serverCert
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		c, err = readServerCert(ctx, tx, p.Account(), name)
		return err
	})
	return p.Account(), c, err
}

// GetServerCertificate returns a certificate, its chain and tags (never its key).
func (s *Service) GetServerCertificate(ctx context.Context, in *iamapi.GetServerCertificateInput) (*iamapi.GetServerCertificateOutput, error) {
	account, c, err := s.serverCertRead(ctx, in.ServerCertificateName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetServerCertificateOutput{ServerCertificate: &iamapi.ServerCertificate{ServerCertificateMetadata: c.metadata(account),
		CertificateBody: c.Body, CertificateChain: c.Chain, Tags: tagList(c.Tags)}}, nil
}

// ListServerCertificates lists the account's certificates under a path prefix, by name, paged
// with a marker naming the last certificate returned (stable under concurrent uploads).
func (s *Service) ListServerCertificates(ctx context.Context, in *iamapi.ListServerCertificatesInput) (*iamapi.ListServerCertificatesOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	prefix := in.PathPrefix
	if prefix == "" {
		prefix = "/"
	}
	if err := iam.ValidatePathPrefix("pathPrefix", prefix); err != nil {
		return nil, err
	}
	after, err := parseNameMarker(in.Marker)
	if err != nil {
		return nil, err
	}
	var certs []serverCert
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := allRecords(ctx, tx, p.Account(), kindServerCert)
		if err != nil {
			return err
		}
		certs, err = decodeRecords[serverCert](rs)
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(certs, func(i, j int) bool { return strings.ToLower(certs[i].Name) < strings.ToLower(certs[j].Name) })
	max := maxItems(in.MaxItems)
	if max <= 0 {
		max = store.DefaultMaxItems
	}
	out := &iamapi.ListServerCertificatesOutput{ServerCertificateMetadataList: []iamapi.ServerCertificateMetadata{}, IsTruncated: ptr(false)}
	for _, c := range certs {
		if !strings.HasPrefix(c.Path, prefix) || (after != "" && strings.ToLower(c.Name) <= after) {
			continue
		}
		if len(out.ServerCertificateMetadataList) == max {
			out.IsTruncated = ptr(true)
			last := out.ServerCertificateMetadataList[max-1].ServerCertificateName
			out.Marker = nameMarker(last)
			break
		}
		out.ServerCertificateMetadataList = append(out.ServerCertificateMetadataList, *c.metadata(p.Account()))
	}
	return out, nil
}

const nameMarkerPrefix = "iamd-n:"

// nameMarker names the last item of a page of a name-ordered list.
func nameMarker(name string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(nameMarkerPrefix + strings.ToLower(name)))
}

// parseNameMarker decodes a nameMarker ("" is the start) to the lower-cased name after which
// the next page begins.
func parseNameMarker(m string) (string, error) {
	if m == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(m)
	if err != nil {
		return "", invalidMarker(store.ErrInvalidMarker)
	}
	name, ok := strings.CutPrefix(string(raw), nameMarkerPrefix)
	if !ok || name == "" {
		return "", invalidMarker(store.ErrInvalidMarker)
	}
	return name, nil
}

// UpdateServerCertificate renames and/or moves a certificate; its id stays.
func (s *Service) UpdateServerCertificate(ctx context.Context, in *iamapi.UpdateServerCertificateInput) (*iamapi.UpdateServerCertificateOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.NewPath != "" {
		if err := iam.ValidatePath("newPath", in.NewPath); err != nil {
			return nil, err
		}
	}
	account := p.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		c, err := readServerCert(ctx, tx, account, in.ServerCertificateName)
		if err != nil {
			return err
		}
		if in.NewPath != "" {
			c.Path = in.NewPath
		}
		if in.NewServerCertificateName == "" || in.NewServerCertificateName == c.Name {
			return writeRecord(ctx, tx, false, account, kindServerCert, c.Name, "", c)
		}
		// A rename is a delete and a create in one transaction: the record is named by the
		// certificate name. Deleting first lets a change of case alone succeed.
		if err := tx.DeleteRecord(ctx, account, kindServerCert, c.Name); err != nil {
			return err
		}
		c.Name = in.NewServerCertificateName
		return exists(writeRecord(ctx, tx, true, account, kindServerCert, c.Name, "", c), serverCertExists(c.Name))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateServerCertificateOutput{}, nil
}

// DeleteServerCertificate deletes a certificate and its sealed key.
func (s *Service) DeleteServerCertificate(ctx context.Context, in *iamapi.DeleteServerCertificateInput) (*iamapi.DeleteServerCertificateOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		err := tx.DeleteRecord(ctx, p.Account(), kindServerCert, in.ServerCertificateName)
		return notFound(err, noSuchServerCert(in.ServerCertificateName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteServerCertificateOutput{}, nil
}

// serverCertTags reaches server certificates for the tag operations.
var serverCertTags = tagged[serverCert]{
	load: readServerCert,
	save: func(ctx context.Context, tx store.Tx, account string, c serverCert) error {
		return writeRecord(ctx, tx, false, account, kindServerCert, c.Name, "", c)
	},
	tags: func(c *serverCert) *[]iam.Tag { return &c.Tags },
	keys: iam.ExactTagKeys,
}

// TagServerCertificate adds or replaces tags.
func (s *Service) TagServerCertificate(ctx context.Context, in *iamapi.TagServerCertificateInput) (*iamapi.TagServerCertificateOutput, error) {
	if err := serverCertTags.tag(ctx, s, in.ServerCertificateName, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagServerCertificateOutput{}, nil
}

// UntagServerCertificate removes tags by key.
func (s *Service) UntagServerCertificate(ctx context.Context, in *iamapi.UntagServerCertificateInput) (*iamapi.UntagServerCertificateOutput, error) {
	if err := serverCertTags.untag(ctx, s, in.ServerCertificateName, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagServerCertificateOutput{}, nil
}

// ListServerCertificateTags lists a certificate's tags, paged.
func (s *Service) ListServerCertificateTags(ctx context.Context, in *iamapi.ListServerCertificateTagsInput) (*iamapi.ListServerCertificateTagsOutput, error) {
	p, err := serverCertTags.list(ctx, s, in.ServerCertificateName, in.Marker, in.MaxItems)
	return (*iamapi.ListServerCertificateTagsOutput)(p), err
}
