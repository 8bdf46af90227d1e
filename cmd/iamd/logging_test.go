package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/iamd/iamd/internal/node"
)

// --log-format json makes every record JSON, the access log's included: a request through a
// node logged with newLogger's logger and access writer is one JSON line with its fields.
func TestLogFormatJSON(t *testing.T) {
	var out bytes.Buffer
	logger, access, err := newLogger(&out, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.Open(context.Background(), node.Config{DataDir: t.TempDir(), Logger: logger, AccessLog: access})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	logger.Info("started", "account", n.Account)
	req := httptest.NewRequest(http.MethodGet, "/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	n.ServeHTTP(httptest.NewRecorder(), req)
	var sawRequest bool
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		if rec["msg"] == "request" {
			sawRequest = true
			if rec["action"] != "GetCallerIdentity" || rec["status"] != float64(403) || rec["requestId"] == "" {
				t.Errorf("access record %v: want action GetCallerIdentity, status 403, a request id", rec)
			}
		}
	}
	if !sawRequest {
		t.Errorf("no access record in %q", out.String())
	}
}

// Text at info keeps the server's own access-log writer; above info, access records are dropped
// with the rest of the info records.
func TestLogLevels(t *testing.T) {
	var out bytes.Buffer
	_, access, err := newLogger(&out, "text", "info")
	if err != nil || access != &out {
		t.Errorf("text at info: access writer %v, %v; want the output", access, err)
	}
	logger, access, err := newLogger(&out, "text", "warn")
	if err != nil || access != nil {
		t.Fatalf("text at warn: access writer %v, %v; want none", access, err)
	}
	logger.Info("dropped")
	logger.Warn("kept")
	if s := out.String(); strings.Contains(s, "dropped") || !strings.Contains(s, "level=WARN msg=kept") {
		t.Errorf("text at warn wrote %q", s)
	}
	if logger.Enabled(context.Background(), slog.LevelInfo) {
		t.Error("info enabled at warn")
	}
	for _, bad := range [][2]string{{"xml", "info"}, {"text", "verbose"}, {"json", "info+2"}} {
		if _, _, err := newLogger(&out, bad[0], bad[1]); err == nil {
			t.Errorf("newLogger(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

// The flags refuse a value that is not one of theirs, whether from the command line or, through
// the same Set, the environment or the config file.
func TestLogFlags(t *testing.T) {
	f := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addLogFlags(f)
	if err := f.Parse([]string{"--log-format", "JSON", "--log-level", "debug"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	logger, access := serveLogger(f, &out)
	if access != nil || !logger.Enabled(context.Background(), slog.LevelDebug) {
		t.Errorf("json at debug: access %v, debug enabled %v", access, logger.Enabled(context.Background(), slog.LevelDebug))
	}
	if err := f.Set("log-format", "yaml"); err == nil {
		t.Error("--log-format yaml accepted")
	}
	if err := f.Set("log-level", "loud"); err == nil {
		t.Error("--log-level loud accepted")
	}
}
