package iamsvc

import (
	"context"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// tagged is what the Tag…, Untag… and List…Tags operations need to know of one kind of
// taggable entity. The operations behave alike for all eight kinds; only how an entity is found
// (and which NoSuchEntity names it), where it is stored, and where its tags sit differ, and
// those are these functions.
type tagged[E any] struct {
	// load reads the entity id names, in account, for a change.
	load func(ctx context.Context, tx store.Tx, account, id string) (E, error)
	// view reads it for List…Tags; nil means load. Managed policies differ: an AWS managed
	// policy's tags can be listed but not changed.
	view func(ctx context.Context, tx store.Tx, account, id string) (E, error)
	// save writes the changed entity back.
	save func(ctx context.Context, tx store.Tx, account string, e E) error
	// tags is the entity's tag list.
	tags func(e *E) *[]iam.Tag
	// keys is how the kind compares tag keys: users and roles fold case, the others do not.
	keys iam.TagKeyCase
}

// tag checks the request's tags (at most 50, key and value lengths and alphabet, no key twice)
// and merges them into the entity's: a key that is the same (as the kind compares keys) is
// replaced, and more than 50 in all is LimitExceeded.
func (k tagged[E]) tag(ctx context.Context, s *Service, id string, in []iamapi.Tag) error {
	add := tagsIn(in)
	if err := iam.ValidateTags(add, k.keys); err != nil {
		return err
	}
	return k.change(ctx, s, id, func(tags []iam.Tag) ([]iam.Tag, error) { return iam.MergeTags(tags, add, k.keys) })
}

// untag removes the keys, matched as the kind compares keys; absent keys are ignored, as AWS
// does.
func (k tagged[E]) untag(ctx context.Context, s *Service, id string, keys []string) error {
	return k.change(ctx, s, id, func(tags []iam.Tag) ([]iam.Tag, error) { return iam.RemoveTags(tags, keys, k.keys), nil })
}

// change replaces the entity's tags with edit's result, in one write.
func (k tagged[E]) change(ctx context.Context, s *Service, id string, edit func([]iam.Tag) ([]iam.Tag, error)) error {
	c, err := s.caller(ctx)
	if err != nil {
		return err
	}
	account := c.Account()
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		e, err := k.load(ctx, tx, account, id)
		if err != nil {
			return err
		}
		tags := k.tags(&e)
		if *tags, err = edit(*tags); err != nil {
			return err
		}
		return k.save(ctx, tx, account, e)
	})
}

// tagPage is the answer of every List…Tags operation: the generated output types all have
// these fields, so each operation converts it to its own.
type tagPage struct {
	Tags        []iamapi.Tag
	IsTruncated *bool
	Marker      string
}

// list returns the page of the entity's tags that marker and max select; Tags is never
// absent, since the model requires it.
func (k tagged[E]) list(ctx context.Context, s *Service, id, marker string, max *int32) (*tagPage, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	view := k.view
	if view == nil {
		view = k.load
	}
	var e E
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		e, err = view(ctx, tx, c.Account(), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	tags, trunc, next, err := pageSlice(*k.tags(&e), marker, maxItems(max))
	if err != nil {
		return nil, err
	}
	return &tagPage{Tags: nonNil(tagsOut(tags)), IsTruncated: ptr(trunc), Marker: next}, nil
}
