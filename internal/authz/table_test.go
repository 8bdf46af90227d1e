package authz

import (
	"slices"
	"testing"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	stsapi "github.com/iamd/iamd/internal/api/sts"
)

// TestTableCoversModel checks that the authorization table has one row per operation of the
// generated IAM and STS models, and no row for an operation the models do not have.
func TestTableCoversModel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		table map[string]row
		ops   []string
	}{
		{"iam", iamTable, keysOf(iamapi.Operations)},
		{"sts", stsTable, keysOf(stsapi.Operations)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, op := range tc.ops {
				if _, ok := tc.table[op]; !ok {
					t.Errorf("operation %s has no row", op)
				}
			}
			for op := range tc.table {
				if !slices.Contains(tc.ops, op) {
					t.Errorf("row %s names no operation of the model", op)
				}
			}
		})
	}
	if n := len(iamTable) + len(stsTable); n != 187 {
		t.Errorf("table has %d rows, want 187 (176 IAM + 11 STS)", n)
	}
}

// TestTableRowsConsistent checks that list rows name the kind their ARN prefix uses.
func TestTableRowsConsistent(t *testing.T) {
	for op, rw := range iamTable {
		if (rw.res == resList || rw.res == resField) && rw.arg == "" {
			t.Errorf("%s: row needs arg", op)
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
