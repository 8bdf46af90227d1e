package iamsvc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// The store records which catalogue of AWS managed policies it holds in a record of the "aws"
// account, so that a start with the same catalogue costs one read instead of 1,600 lookups.
const (
	kindAWSCatalogue = "aws-managed-catalogue"
	awsCatalogueName = "version"
)

// SeedAWSManagedPolicies makes the store hold the embedded catalogue of AWS managed policies
// (iam.AWSManagedPolicies): on the first start it creates them all; on the first start of an iamd
// with a newer catalogue it adds the new policies and moves changed ones to their new default
// version, in place, so stored attachments and boundaries keep working with the new document.
// Otherwise it reads one record. It is idempotent and safe to run on several nodes at once, and
// the service runs it before its first operation, so a node that does not call it still answers
// with the policies present.
func (s *Service) SeedAWSManagedPolicies(ctx context.Context) error {
	current := false
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		current, err = catalogueCurrent(ctx, tx)
		return err
	})
	if err == nil && !current {
		err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
			// Another node may have seeded since the read.
			if ok, err := catalogueCurrent(ctx, tx); err != nil || ok {
				return err
			}
			return seedCatalogue(ctx, tx)
		})
	}
	if err == nil {
		s.seeded.Store(true)
	}
	return err
}

func catalogueCurrent(ctx context.Context, tx store.Tx) (bool, error) {
	r, err := tx.Record(ctx, iam.AWSManagedAccount, kindAWSCatalogue, awsCatalogueName)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil && string(r.Data) == iam.AWSManagedCatalogueVersion, err
}

func seedCatalogue(ctx context.Context, tx store.Tx) error {
	stored, err := tx.CountPolicies(ctx, iam.AWSManagedAccount)
	if err != nil {
		return err
	}
	for _, m := range iam.AWSManagedPolicies() {
		p := m.Policy()
		if stored == 0 { // a new store: nothing to compare with
			if err := tx.CreatePolicy(ctx, p, m.Document); err != nil {
				return fmt.Errorf("seed %s: %w", p.Arn, err)
			}
			continue
		}
		if err := syncAWSPolicy(ctx, tx, m); err != nil {
			return fmt.Errorf("seed %s: %w", p.Arn, err)
		}
	}
	marker := store.Record{Account: iam.AWSManagedAccount, Kind: kindAWSCatalogue, Name: awsCatalogueName,
		Data: []byte(iam.AWSManagedCatalogueVersion)}
	err = tx.UpdateRecord(ctx, marker)
	if errors.Is(err, store.ErrNotFound) {
		err = tx.CreateRecord(ctx, marker)
	}
	return err
}

// syncAWSPolicy brings one stored AWS managed policy to the catalogue's default version.
func syncAWSPolicy(ctx context.Context, tx store.Tx, m iam.AWSManagedPolicy) error {
	want := m.Policy()
	have, err := tx.Policy(ctx, want.Arn)
	if errors.Is(err, store.ErrNotFound) {
		return tx.CreatePolicy(ctx, want, m.Document)
	}
	if err != nil {
		return err
	}
	if have.DefaultVersionID != want.DefaultVersionID {
		haveSeq, ok1 := versionNumber(have.DefaultVersionID)
		wantSeq, ok2 := versionNumber(want.DefaultVersionID)
		if !ok1 || !ok2 || wantSeq < haveSeq {
			return replaceOlder(ctx, tx, have, m)
		}
		if err := advanceVersion(ctx, tx, want.Arn, m); err != nil {
			return err
		}
		if have, err = tx.Policy(ctx, want.Arn); err != nil {
			return err
		}
	}
	if have.Description != want.Description || !have.UpdateDate.Equal(want.UpdateDate) {
		have.Description, have.UpdateDate = want.Description, want.UpdateDate
		return tx.UpdatePolicy(ctx, have)
	}
	return nil
}

// advanceVersion makes the catalogue's document the policy's default version under AWS's version
// id. The store numbers a new version one above the last, so the versions AWS made in between
// are stepped over with placeholders, which are deleted with the old default before the
// transaction ends: no reader ever sees them, and the policy keeps its id, attachments and
// boundary uses.
func advanceVersion(ctx context.Context, tx store.Tx, arn string, m iam.AWSManagedPolicy) error {
	for {
		v, err := tx.CreatePolicyVersion(ctx, arn, `{}`, false, m.Updated)
		if err != nil {
			return err
		}
		if err := tx.DeletePolicyVersion(ctx, arn, v.VersionID); err != nil {
			return err
		}
		n, _ := versionNumber(v.VersionID)
		if want, _ := versionNumber(m.DefaultVersion); n+1 >= want {
			break
		}
	}
	v, err := tx.CreatePolicyVersion(ctx, arn, m.Document, true, m.Updated)
	if err != nil {
		return err
	}
	if v.VersionID != m.DefaultVersion {
		return fmt.Errorf("store numbered the new version %s, want %s", v.VersionID, m.DefaultVersion)
	}
	versions, err := tx.PolicyVersions(ctx, arn)
	if err != nil {
		return err
	}
	for _, old := range versions {
		if !old.IsDefaultVersion {
			if err := tx.DeletePolicyVersion(ctx, arn, old.VersionID); err != nil {
				return err
			}
		}
	}
	return nil
}

// replaceOlder handles a catalogue older than the stored policy (iamd downgraded): an unused
// policy is recreated at the catalogue's version; one in use keeps its newer stored version, since
// replacing it would mean detaching it from the entities that use it.
func replaceOlder(ctx context.Context, tx store.Tx, have iam.ManagedPolicy, m iam.AWSManagedPolicy) error {
	if have.AttachmentCount > 0 || have.PermissionsBoundaryUsageCount > 0 {
		return nil
	}
	if err := tx.DeletePolicy(ctx, have.Arn); err != nil {
		return err
	}
	return tx.CreatePolicy(ctx, m.Policy(), m.Document)
}

// versionNumber is N of a version id "vN".
func versionNumber(id string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	return n, err == nil && strings.HasPrefix(id, "v") && n > 0
}

// caller is the authenticated principal of the request, after making sure the AWS managed
// policies exist (one atomic load once they do).
func (s *Service) caller(ctx context.Context) (*authn.Principal, error) {
	if !s.seeded.Load() {
		if err := s.SeedAWSManagedPolicies(ctx); err != nil {
			return nil, err
		}
	}
	return caller(ctx)
}
