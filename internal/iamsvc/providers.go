package iamsvc

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Identity providers (OpenID Connect and SAML), stored as records of the kinds internal/iam
// declares so that STS can read them with store.OIDCProviderByURL and store.SAMLProviderByARN.

// invalidOIDCURL words a refused provider URL as answers recorded against AWS do (the
// documentation gives no wording): a value that is no URL at all fails validation; a URL of
// another scheme, or with what a provider URL may not hold (a query, a fragment, user
// information), is invalid input.
func invalidOIDCURL(u string) error {
	scheme, _, ok := strings.Cut(u, "://")
	switch {
	case !ok:
		return awserr.Validation("Invalid Open ID Connect Provider URL")
	case scheme != "https":
		return awserr.InvalidInput("Invalid Open ID Connect Provider URL. The URL must begin with https://.")
	}
	return awserr.InvalidInput("Invalid Open ID Connect Provider URL.")
}

func noSuchOIDC(arn string) error {
	return awserr.NoSuchEntity("OpenIDConnect Provider not found for arn " + arn)
}

func noSuchSAML(arn string) error {
	return awserr.NoSuchEntity("Manifest not found for arn " + arn)
}

// allRecords reads every record of a kind (lists AWS does not page).
func allRecords(ctx context.Context, tx store.Tx, account, kind string) ([]store.Record, error) {
	var all []store.Record
	opt := store.ListOptions{MaxItems: 1000}
	for {
		page, err := tx.Records(ctx, account, kind, opt)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if !page.IsTruncated {
			return all, nil
		}
		opt.Marker = page.Marker
	}
}

// checkThumbprints applies AWS's rules to a thumbprint list.
func checkThumbprints(list []string) error {
	if len(list) > iam.MaxThumbprintsPerProvider {
		return awserr.InvalidInput("Thumbprint list must contain fewer than 5 entries.")
	}
	for _, t := range list {
		if !iam.ValidThumbprint(t) {
			return awserr.InvalidInput("Thumbprint " + t + " is not a 40-character hexadecimal SHA-1 fingerprint.")
		}
	}
	return nil
}

// addClientIDs appends ids not yet in list (AWS keeps each client id once).
func addClientIDs(list []string, ids ...string) ([]string, error) {
	for _, id := range ids {
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	if len(list) > iam.MaxClientIDsPerOIDCProvider {
		return nil, quota("ClientIdsPerOpenIdConnectProvider", iam.MaxClientIDsPerOIDCProvider)
	}
	return list, nil
}

// CreateOpenIDConnectProvider registers an OIDC identity provider, named by its URL's host and
// path. Thumbprints are optional, as AWS no longer requires them.
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, in *iamapi.CreateOpenIDConnectProviderInput) (*iamapi.CreateOpenIDConnectProviderOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	hostPath, err := iam.NormalizeOIDCURL(in.Url)
	if err != nil {
		return nil, invalidOIDCURL(in.Url)
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	clients, err := addClientIDs(nil, in.ClientIDList...)
	if err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.ValidateTags(tags, iam.ExactTagKeys); err != nil {
		return nil, err
	}
	account := c.Account()
	p := iam.OIDCProvider{URL: hostPath, ClientIDs: clients, Thumbprints: in.ThumbprintList, CreateDate: s.now(), Tags: tags}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		n, err := tx.CountRecords(ctx, account, kindOIDC)
		if err != nil {
			return err
		}
		if n >= iam.MaxOIDCProviders {
			return quota("OpenIdIdpsPerAccount", iam.MaxOIDCProviders)
		}
		err = writeRecord(ctx, tx, true, account, kindOIDC, hostPath, "", p)
		return exists(err, "Provider with url https://"+hostPath+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateOpenIDConnectProviderOutput{OpenIDConnectProviderArn: iam.OIDCProviderARN(account, hostPath), Tags: tagsOut(tags)}, nil
}

// readOIDC reads the provider an ARN names.
func readOIDC(ctx context.Context, tx store.Tx, account, arn string) (string, iam.OIDCProvider, error) {
	var p iam.OIDCProvider
	name, ok := iam.ProviderName(arn, account, "oidc-provider")
	if !ok {
		return "", p, noSuchOIDC(arn)
	}
	err := readRecord(ctx, tx, account, kindOIDC, name, &p, noSuchOIDC(arn))
	return name, p, err
}

// changeOIDC applies change to the provider an ARN names, in one write.
func (s *Service) changeOIDC(ctx context.Context, arn string, change func(*iam.OIDCProvider) error) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	account := c.Account()
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		name, p, err := readOIDC(ctx, tx, account, arn)
		if err != nil {
			return err
		}
		if err := change(&p); err != nil {
			return err
		}
		return writeRecord(ctx, tx, false, account, kindOIDC, name, "", p)
	})
}

// oidcRead reads the provider an ARN names in a read transaction.
func (s *Service) oidcRead(ctx context.Context, arn string) (iam.OIDCProvider, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return iam.OIDCProvider{}, err
	}
	var p iam.OIDCProvider
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		_, p, err = readOIDC(ctx, tx, c.Account(), arn)
		return err
	})
	return p, err
}

// GetOpenIDConnectProvider returns a provider; its URL is reported without the scheme, as AWS does.
func (s *Service) GetOpenIDConnectProvider(ctx context.Context, in *iamapi.GetOpenIDConnectProviderInput) (*iamapi.GetOpenIDConnectProviderOutput, error) {
	p, err := s.oidcRead(ctx, in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetOpenIDConnectProviderOutput{Url: p.URL, ClientIDList: nonNil(p.ClientIDs), ThumbprintList: nonNil(p.Thumbprints),
		CreateDate: p.CreateDate, Tags: tagList(p.Tags)}, nil
}

// ListOpenIDConnectProviders lists the ARNs of every provider of the account (AWS does not page it).
func (s *Service) ListOpenIDConnectProviders(ctx context.Context, in *iamapi.ListOpenIDConnectProvidersInput) (*iamapi.ListOpenIDConnectProvidersOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var rs []store.Record
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		rs, err = allRecords(ctx, tx, c.Account(), kindOIDC)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListOpenIDConnectProvidersOutput{OpenIDConnectProviderList: make([]iamapi.OpenIDConnectProviderListEntry, len(rs))}
	for i, r := range rs {
		out.OpenIDConnectProviderList[i].Arn = iam.OIDCProviderARN(c.Account(), r.Name)
	}
	return out, nil
}

// DeleteOpenIDConnectProvider deletes a provider. A provider that does not exist is NoSuchEntity:
// the API reference calls the operation idempotent, but AWS answers a second delete so (the
// recorded answers issue 19 was measured with; the reference's Errors list NoSuchEntity, and
// clients written against AWS catch it on delete).
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, in *iamapi.DeleteOpenIDConnectProviderInput) (*iamapi.DeleteOpenIDConnectProviderOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	name, ok := iam.ProviderName(in.OpenIDConnectProviderArn, c.Account(), "oidc-provider")
	if !ok {
		return nil, noSuchOIDC(in.OpenIDConnectProviderArn)
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		return notFound(tx.DeleteRecord(ctx, c.Account(), kindOIDC, name), noSuchOIDC(in.OpenIDConnectProviderArn))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteOpenIDConnectProviderOutput{}, nil
}

// AddClientIDToOpenIDConnectProvider adds an audience; adding one already present changes nothing.
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, in *iamapi.AddClientIDToOpenIDConnectProviderInput) (*iamapi.AddClientIDToOpenIDConnectProviderOutput, error) {
	err := s.changeOIDC(ctx, in.OpenIDConnectProviderArn, func(p *iam.OIDCProvider) error {
		var err error
		p.ClientIDs, err = addClientIDs(p.ClientIDs, in.ClientID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.AddClientIDToOpenIDConnectProviderOutput{}, nil
}

// RemoveClientIDFromOpenIDConnectProvider removes an audience; removing an absent one succeeds,
// as AWS documents.
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, in *iamapi.RemoveClientIDFromOpenIDConnectProviderInput) (*iamapi.RemoveClientIDFromOpenIDConnectProviderOutput, error) {
	err := s.changeOIDC(ctx, in.OpenIDConnectProviderArn, func(p *iam.OIDCProvider) error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(id string) bool { return id == in.ClientID })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.RemoveClientIDFromOpenIDConnectProviderOutput{}, nil
}

// UpdateOpenIDConnectProviderThumbprint replaces the thumbprint list.
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, in *iamapi.UpdateOpenIDConnectProviderThumbprintInput) (*iamapi.UpdateOpenIDConnectProviderThumbprintOutput, error) {
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	err := s.changeOIDC(ctx, in.OpenIDConnectProviderArn, func(p *iam.OIDCProvider) error {
		p.Thumbprints = slices.Clone(in.ThumbprintList)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateOpenIDConnectProviderThumbprintOutput{}, nil
}

// oidcRecord is an OIDC provider with the record name its ARN gave, which saving it needs.
type oidcRecord struct {
	name string
	iam.OIDCProvider
}

// oidcTags reaches OIDC providers for the tag operations.
var oidcTags = tagged[oidcRecord]{
	load: func(ctx context.Context, tx store.Tx, account, arn string) (oidcRecord, error) {
		name, p, err := readOIDC(ctx, tx, account, arn)
		return oidcRecord{name, p}, err
	},
	save: func(ctx context.Context, tx store.Tx, account string, r oidcRecord) error {
		return writeRecord(ctx, tx, false, account, kindOIDC, r.name, "", r.OIDCProvider)
	},
	tags: func(r *oidcRecord) *[]iam.Tag { return &r.Tags },
	keys: iam.ExactTagKeys,
}

// TagOpenIDConnectProvider adds or replaces tags.
func (s *Service) TagOpenIDConnectProvider(ctx context.Context, in *iamapi.TagOpenIDConnectProviderInput) (*iamapi.TagOpenIDConnectProviderOutput, error) {
	if err := oidcTags.tag(ctx, s, in.OpenIDConnectProviderArn, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagOpenIDConnectProviderOutput{}, nil
}

// UntagOpenIDConnectProvider removes tags; absent keys are ignored.
func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, in *iamapi.UntagOpenIDConnectProviderInput) (*iamapi.UntagOpenIDConnectProviderOutput, error) {
	if err := oidcTags.untag(ctx, s, in.OpenIDConnectProviderArn, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagOpenIDConnectProviderOutput{}, nil
}

// ListOpenIDConnectProviderTags lists a provider's tags, paged.
func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, in *iamapi.ListOpenIDConnectProviderTagsInput) (*iamapi.ListOpenIDConnectProviderTagsOutput, error) {
	p, err := oidcTags.list(ctx, s, in.OpenIDConnectProviderArn, in.Marker, in.MaxItems)
	return (*iamapi.ListOpenIDConnectProviderTagsOutput)(p), err
}

// ---- SAML ----

// samlValidity is how long a provider whose metadata sets no validUntil stays valid (AWS
// reports one hundred years from creation).
const samlValidity = 100

// parseMetadata validates a metadata document, answering AWS's InvalidInput.
func parseMetadata(doc string) (*iam.SAMLMetadata, error) {
	md, err := iam.ParseSAMLMetadata(doc)
	if err != nil {
		return nil, awserr.InvalidInput("Could not parse metadata")
	}
	return md, nil
}

// validUntil is the provider's expiry for its metadata.
func validUntil(md *iam.SAMLMetadata, created time.Time) time.Time {
	if !md.ValidUntil.IsZero() {
		return md.ValidUntil.Truncate(time.Second)
	}
	return created.AddDate(samlValidity, 0, 0)
}

// addPrivateKey parses a PEM RSA private key (PKCS #1 or #8) for decrypting assertions and seals
// it onto the provider.
func (s *Service) addPrivateKey(account string, p *iam.SAMLProvider, pemText string, now time.Time) error {
	if len(p.PrivateKeys) >= iam.MaxSAMLPrivateKeysPerProvider {
		return quota("PrivateKeysPerSAMLProvider", iam.MaxSAMLPrivateKeysPerProvider)
	}
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return awserr.InvalidInput("The private key is not a valid PEM-encoded RSA private key.")
	}
	var ok bool
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		ok = k != nil
	} else if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		_, ok = k.(*rsa.PrivateKey)
	}
	if !ok {
		return awserr.InvalidInput("The private key is not a valid PEM-encoded RSA private key.")
	}
	if s.cfg.Keyring == nil {
		return errors.New("iamsvc: no keyring to seal a SAML private key")
	}
	id := iam.NewKeyID(26)
	p.PrivateKeys = append(p.PrivateKeys, iam.SAMLPrivateKey{KeyID: id, Timestamp: now,
		Sealed: s.cfg.Keyring.Seal([]byte(pemText), iam.SAMLPrivateKeyAD(account, p.Name, id))})
	return nil
}

// CreateSAMLProvider registers a SAML identity provider from its metadata document.
func (s *Service) CreateSAMLProvider(ctx context.Context, in *iamapi.CreateSAMLProviderInput) (*iamapi.CreateSAMLProviderOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	md, err := parseMetadata(in.SAMLMetadataDocument)
	if err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.ValidateTags(tags, iam.ExactTagKeys); err != nil {
		return nil, err
	}
	account, now := c.Account(), s.now()
	p := iam.SAMLProvider{Name: in.Name, UUID: iam.NewKeyID(26), MetadataDocument: in.SAMLMetadataDocument, CreateDate: now,
		ValidUntil: validUntil(md, now), AssertionEncryptionMode: in.AssertionEncryptionMode, Tags: tags}
	if p.AssertionEncryptionMode == "" {
		p.AssertionEncryptionMode = "Allowed"
	}
	if in.AddPrivateKey != "" {
		if err := s.addPrivateKey(account, &p, in.AddPrivateKey, now); err != nil {
			return nil, err
		}
	}
	if p.AssertionEncryptionMode == "Required" && len(p.PrivateKeys) == 0 {
		return nil, awserr.InvalidInput("A private key is required when AssertionEncryptionMode is Required.")
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		n, err := tx.CountRecords(ctx, account, kindSAML)
		if err != nil {
			return err
		}
		if n >= iam.MaxSAMLProviders {
			return quota("SamlProvidersPerAccount", iam.MaxSAMLProviders)
		}
		err = writeRecord(ctx, tx, true, account, kindSAML, p.Name, "", p)
		return exists(err, "SAMLProvider named "+p.Name+" already exists")
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateSAMLProviderOutput{SAMLProviderArn: iam.SAMLProviderARN(account, p.Name), Tags: tagsOut(tags)}, nil
}

func readSAML(ctx context.Context, tx store.Tx, account, arn string) (iam.SAMLProvider, error) {
	var p iam.SAMLProvider
	name, ok := iam.ProviderName(arn, account, "saml-provider")
	if !ok {
		return p, noSuchSAML(arn)
	}
	err := readRecord(ctx, tx, account, kindSAML, name, &p, noSuchSAML(arn))
	return p, err
}

func (s *Service) changeSAML(ctx context.Context, arn string, change func(account string, p *iam.SAMLProvider) error) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	account := c.Account()
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		p, err := readSAML(ctx, tx, account, arn)
		if err != nil {
			return err
		}
		if err := change(account, &p); err != nil {
			return err
		}
		return writeRecord(ctx, tx, false, account, kindSAML, p.Name, "", p)
	})
}

func (s *Service) samlRead(ctx context.Context, arn string) (iam.SAMLProvider, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return iam.SAMLProvider{}, err
	}
	var p iam.SAMLProvider
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		p, err = readSAML(ctx, tx, c.Account(), arn)
		return err
	})
	return p, err
}

// GetSAMLProvider returns a provider's metadata document and settings; private keys are listed
// by id and date only.
func (s *Service) GetSAMLProvider(ctx context.Context, in *iamapi.GetSAMLProviderInput) (*iamapi.GetSAMLProviderOutput, error) {
	p, err := s.samlRead(ctx, in.SAMLProviderArn)
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetSAMLProviderOutput{SAMLProviderUUID: p.UUID, SAMLMetadataDocument: p.MetadataDocument, CreateDate: p.CreateDate,
		ValidUntil: p.ValidUntil, Tags: tagList(p.Tags), AssertionEncryptionMode: p.AssertionEncryptionMode,
		PrivateKeyList: []iamapi.SAMLPrivateKey{}} // both lists are sent empty, as AWS does
	for _, k := range p.PrivateKeys {
		out.PrivateKeyList = append(out.PrivateKeyList, iamapi.SAMLPrivateKey{KeyId: k.KeyID, Timestamp: k.Timestamp})
	}
	return out, nil
}

// ListSAMLProviders lists every provider of the account (AWS does not page it).
func (s *Service) ListSAMLProviders(ctx context.Context, in *iamapi.ListSAMLProvidersInput) (*iamapi.ListSAMLProvidersOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var ps []iam.SAMLProvider
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := allRecords(ctx, tx, c.Account(), kindSAML)
		if err != nil {
			return err
		}
		ps, err = decodeRecords[iam.SAMLProvider](rs)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSAMLProvidersOutput{SAMLProviderList: make([]iamapi.SAMLProviderListEntry, len(ps))}
	for i, p := range ps {
		out.SAMLProviderList[i] = iamapi.SAMLProviderListEntry{Arn: iam.SAMLProviderARN(c.Account(), p.Name), ValidUntil: p.ValidUntil, CreateDate: p.CreateDate}
	}
	return out, nil
}

// UpdateSAMLProvider replaces the metadata document and changes the assertion encryption
// settings; everything is checked before anything changes.
func (s *Service) UpdateSAMLProvider(ctx context.Context, in *iamapi.UpdateSAMLProviderInput) (*iamapi.UpdateSAMLProviderOutput, error) {
	var md *iam.SAMLMetadata
	if in.SAMLMetadataDocument != "" {
		var err error
		if md, err = parseMetadata(in.SAMLMetadataDocument); err != nil {
			return nil, err
		}
	}
	now := s.now()
	err := s.changeSAML(ctx, in.SAMLProviderArn, func(account string, p *iam.SAMLProvider) error {
		if md != nil {
			p.MetadataDocument, p.ValidUntil = in.SAMLMetadataDocument, validUntil(md, p.CreateDate)
		}
		if in.RemovePrivateKey != "" {
			i := slices.IndexFunc(p.PrivateKeys, func(k iam.SAMLPrivateKey) bool { return k.KeyID == in.RemovePrivateKey })
			if i < 0 {
				return awserr.InvalidInput("The private key with id " + in.RemovePrivateKey + " cannot be found.")
			}
			p.PrivateKeys = slices.Delete(p.PrivateKeys, i, i+1)
		}
		if in.AddPrivateKey != "" {
			if err := s.addPrivateKey(account, p, in.AddPrivateKey, now); err != nil {
				return err
			}
		}
		if in.AssertionEncryptionMode != "" {
			p.AssertionEncryptionMode = in.AssertionEncryptionMode
		}
		if p.AssertionEncryptionMode == "Required" && len(p.PrivateKeys) == 0 {
			return awserr.InvalidInput("A private key is required when AssertionEncryptionMode is Required.")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateSAMLProviderOutput{SAMLProviderArn: in.SAMLProviderArn}, nil
}

// DeleteSAMLProvider deletes a provider.
func (s *Service) DeleteSAMLProvider(ctx context.Context, in *iamapi.DeleteSAMLProviderInput) (*iamapi.DeleteSAMLProviderOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		p, err := readSAML(ctx, tx, c.Account(), in.SAMLProviderArn)
		if err != nil {
			return err
		}
		return notFound(tx.DeleteRecord(ctx, c.Account(), kindSAML, p.Name), noSuchSAML(in.SAMLProviderArn))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteSAMLProviderOutput{}, nil
}

// samlTags reaches SAML providers for the tag operations.
var samlTags = tagged[iam.SAMLProvider]{
	load: readSAML,
	save: func(ctx context.Context, tx store.Tx, account string, p iam.SAMLProvider) error {
		return writeRecord(ctx, tx, false, account, kindSAML, p.Name, "", p)
	},
	tags: func(p *iam.SAMLProvider) *[]iam.Tag { return &p.Tags },
	keys: iam.ExactTagKeys,
}

// TagSAMLProvider adds or replaces tags.
func (s *Service) TagSAMLProvider(ctx context.Context, in *iamapi.TagSAMLProviderInput) (*iamapi.TagSAMLProviderOutput, error) {
	if err := samlTags.tag(ctx, s, in.SAMLProviderArn, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagSAMLProviderOutput{}, nil
}

// UntagSAMLProvider removes tags; absent keys are ignored.
func (s *Service) UntagSAMLProvider(ctx context.Context, in *iamapi.UntagSAMLProviderInput) (*iamapi.UntagSAMLProviderOutput, error) {
	if err := samlTags.untag(ctx, s, in.SAMLProviderArn, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagSAMLProviderOutput{}, nil
}

// ListSAMLProviderTags lists a provider's tags, paged.
func (s *Service) ListSAMLProviderTags(ctx context.Context, in *iamapi.ListSAMLProviderTagsInput) (*iamapi.ListSAMLProviderTagsOutput, error) {
	p, err := samlTags.list(ctx, s, in.SAMLProviderArn, in.Marker, in.MaxItems)
	return (*iamapi.ListSAMLProviderTagsOutput)(p), err
}
