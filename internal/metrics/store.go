package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Store returns st timed and counted: the latency of each Read, Write and Generation, and the
// ones that failed. A transaction's time includes its function's (and a Write's retries): it is
// the time a caller waited for the store.
func (m *Metrics) Store(st store.Store) store.Store {
	s := &timedStore{Store: st}
	for i, call := range [...]string{"read", "write", "generation", "record_use"} {
		s.latency[i] = m.storeLatency.WithLabelValues(call)
		s.errors[i] = m.storeErrors.WithLabelValues(call)
	}
	return s
}

const (
	callRead = iota
	callWrite
	callGeneration
	callRecordUse
)

// timedStore is the decorator; the label children are resolved once.
type timedStore struct {
	store.Store
	latency [4]prometheus.Observer
	errors  [4]prometheus.Counter
}

func (s *timedStore) observe(call int, start time.Time, err error) {
	s.latency[call].Observe(time.Since(start).Seconds())
	if err != nil {
		s.errors[call].Inc()
	}
}

func (s *timedStore) Read(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.Read(ctx, fn)
	s.observe(callRead, start, err)
	return err
}

func (s *timedStore) Write(ctx context.Context, fn func(store.Tx) error) error {
	start := time.Now()
	err := s.Store.Write(ctx, fn)
	s.observe(callWrite, start, err)
	return err
}

func (s *timedStore) Generation(ctx context.Context) (uint64, error) {
	start := time.Now()
	g, err := s.Store.Generation(ctx)
	s.observe(callGeneration, start, err)
	return g, err
}

func (s *timedStore) RecordAccessKeyUses(ctx context.Context, uses map[string]iam.AccessKeyLastUsed) error {
	start := time.Now()
	err := s.Store.RecordAccessKeyUses(ctx, uses)
	s.observe(callRecordUse, start, err)
	return err
}

func (s *timedStore) RecordRoleUse(ctx context.Context, account, roleID string, used iam.RoleLastUsed) error {
	start := time.Now()
	err := s.Store.RecordRoleUse(ctx, account, roleID, used)
	s.observe(callRecordUse, start, err)
	return err
}

// Unwrap is the store underneath, for code that needs a backend's own methods.
func (s *timedStore) Unwrap() store.Store { return s.Store }
