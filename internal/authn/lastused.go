package authn

import (
	"context"
	"time"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/usage"
)

// Access-key use is recorded for GetAccessKeyLastUsed through a usage.Recorder: each key is
// noted at most once per useInterval, and the notes are written together at most once per
// flushInterval (a write that leaves the store's generation, so no cache is invalidated by it).
const (
	useInterval   = time.Minute
	flushInterval = time.Second
	maxNotedKeys  = 1_000_000
)

func (a *Authenticator) newUsage() *usage.Recorder[string, iam.AccessKeyLastUsed] {
	return usage.New(useInterval, flushInterval, maxNotedKeys, time.Time{}, a.cfg.Store.RecordAccessKeyUses)
}

// noteUse records that a long-term key signed a request for service in region; any request may
// carry the pending notes to the store once they are due. A failure to write them does not
// fail the request: they are kept for the next flush.
func (a *Authenticator) noteUse(ctx context.Context, keyID, service, region string) {
	now := a.cfg.Now().UTC()
	if !a.usage.Note(keyID, now, iam.AccessKeyLastUsed{LastUsedDate: now, ServiceName: service, Region: region}) {
		return
	}
	if err := a.usage.Flush(ctx, now); err != nil {
		a.cfg.Logger.Warn("recording access key use failed", "err", err)
	}
}
