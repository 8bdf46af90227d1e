package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/storetest"
)

func openTemp(t *testing.T, dir string) store.Store {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(dir, "iamd.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, t.TempDir()) })
}

func TestSQLiteReopen(t *testing.T) {
	storetest.RunReopen(t, openTemp)
}
