package metrics_test

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/gencache"
	"github.com/iamd/iamd/internal/metrics"
	"github.com/iamd/iamd/internal/store"
)

// The Grafana dashboard is valid JSON, takes its data source from a variable, and queries only
// metrics the registry has: a renamed metric fails here rather than as an empty panel.
func TestDashboard(t *testing.T) {
	b, err := os.ReadFile("../../docs/grafana/iamd.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Templating struct {
			List []struct{ Name, Type string }
		}
		Panels []struct {
			Title      string
			Datasource map[string]string
			Targets    []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	hasVar := false
	for _, v := range dash.Templating.List {
		hasVar = hasVar || (v.Name == "datasource" && v.Type == "datasource")
	}
	if !hasVar {
		t.Error("no datasource variable")
	}

	m := metrics.New()
	m.Call("sts", "AssumeRole", 200, metrics.Allowed, time.Millisecond)
	m.AuthFailure("SignatureDoesNotMatch")
	m.Store(nopStore{}).Generation(context.Background())
	gencache.NewNamed[int]("test/dashboard", 1).Get(0, "k")
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range families {
		have[f.GetName()] = true
	}
	name := regexp.MustCompile(`\b(?:iamd|go|process)_[a-z_]+\b`)
	for _, p := range dash.Panels {
		if len(p.Targets) > 0 && p.Datasource["uid"] != "${datasource}" {
			t.Errorf("panel %q: data source %v, want the variable", p.Title, p.Datasource)
		}
		for _, tg := range p.Targets {
			for _, n := range name.FindAllString(tg.Expr, -1) {
				base := n
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(n, suffix); ok && have[b] {
						base = b
					}
				}
				if !have[base] {
					t.Errorf("panel %q queries %s, which the registry does not have", p.Title, n)
				}
			}
		}
	}
}

type nopStore struct{ store.Store }

func (nopStore) Generation(context.Context) (uint64, error) { return 1, nil }
