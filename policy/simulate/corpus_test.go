package simulate

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/tools/txtar"

	"github.com/iamd/iamd/policy"
)

// corpusRoot is the shared corpus: evaluation and validation cases written from AWS's
// documentation (format: policy/testdata/corpus/README or the issue).
const corpusRoot = "../testdata/corpus"

// disputed lists corpus cases whose wanted answer the engine does not give, with why the engine
// keeps its own answer. Each names an IAM message that the case itself marks as inferred; the
// corpus owner decides whether to change the case (then delete its line here).
var disputed = map[string]string{}

type want struct {
	Decision           string              `json:"decision"`
	MatchedStatements  *[]MatchedStatement `json:"matchedStatements"`
	MissingContextKeys *[]string           `json:"missingContextKeys"`
	Error              *string             `json:"error"`
}

func TestCorpus(t *testing.T) {
	var files []string
	err := filepath.WalkDir(corpusRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".txtar") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no corpus cases")
	}
	t.Logf("%d corpus cases", len(files))
	for _, path := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(path), corpusRoot+"/"), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if why, ok := disputed[name]; ok {
				t.Skipf("disputed: %s", why)
			}
			runCase(t, path)
		})
	}
}

func runCase(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ar := txtar.Parse(data)
	files := map[string][]byte{}
	for _, f := range ar.Files {
		files[f.Name] = f.Data
	}
	var w want
	if err := json.Unmarshal(files["want.json"], &w); err != nil {
		t.Fatalf("want.json: %v", err)
	}
	if doc, ok := files["policy.json"]; ok {
		kind, ok := policy.ParseKind(strings.TrimSpace(string(files["kind"])))
		if !ok {
			t.Fatalf("bad kind %q", files["kind"])
		}
		got := ""
		if err := Validate(doc, kind); err != nil {
			got = err.Error()
		}
		if w.Error == nil || got != *w.Error {
			t.Fatalf("validate: got error %q, want %q\n%s", got, deref(w.Error), ar.Comment)
		}
		return
	}
	var req Request
	if err := json.Unmarshal(files["request.json"], &req); err != nil {
		t.Fatalf("request.json: %v", err)
	}
	res, err := Simulate(&req)
	if err != nil {
		se, ok := err.(*policy.SyntaxError)
		if !ok {
			t.Fatalf("simulate: %v", err)
		}
		if w.Error == nil || *w.Error != se.Reason {
			t.Fatalf("got error %q, want %+v\n%s", se.Reason, w, ar.Comment)
		}
		return
	}
	if w.Error != nil {
		t.Fatalf("got %+v, want error %q\n%s", res, *w.Error, ar.Comment)
	}
	if res.Decision != w.Decision {
		t.Errorf("decision %s, want %s (decided by %s)\n%s", res.Decision, w.Decision, res.DecidedBy, ar.Comment)
	}
	if w.MatchedStatements != nil {
		if d := cmp.Diff(*w.MatchedStatements, res.MatchedStatements, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b MatchedStatement) bool {
			return a.Policy+"\x00"+a.Sid+a.Effect < b.Policy+"\x00"+b.Sid+b.Effect
		})); d != "" {
			t.Errorf("matchedStatements (-want +got):\n%s", d)
		}
	}
	if w.MissingContextKeys != nil {
		if d := cmp.Diff(*w.MissingContextKeys, res.MissingContextKeys, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
			t.Errorf("missingContextKeys (-want +got):\n%s", d)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}
