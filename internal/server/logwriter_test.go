package server

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the flush goroutine and the test may share.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	fail   bool
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return 0, errors.New("disk full")
	}
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogWriterKeepsEveryRecord(t *testing.T) {
	for _, tc := range []struct {
		name     string
		records  int
		size     int
		interval time.Duration
	}{
		{"few records flushed on close", 10, 40, time.Hour},
		{"many records overflow the buffer", 5000, 100, time.Hour},
		{"records bigger than the buffer", 3, 100 << 10, time.Hour},
		{"short interval", 200, 50, time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out lockedBuffer
			lw := NewLogWriter(&out, tc.interval)
			logger := slog.New(slog.NewTextHandler(lw, nil))
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for i := g; i < tc.records; i += 4 {
						logger.Info("request", "n", i, "pad", strings.Repeat("x", tc.size))
					}
				})
			}
			wg.Wait()
			if err := lw.Close(); err != nil {
				t.Fatal(err)
			}
			got := out.String()
			if n := strings.Count(got, "\n"); n != tc.records {
				t.Fatalf("%d lines written, want %d", n, tc.records)
			}
			for i := range tc.records {
				if !strings.Contains(got, fmt.Sprintf(" n=%d ", i)) {
					t.Fatalf("record %d missing", i)
				}
			}
		})
	}
}

func TestLogWriterFlushesWithoutClose(t *testing.T) {
	var out lockedBuffer
	lw := NewLogWriter(&out, 5*time.Millisecond)
	defer lw.Close()
	fmt.Fprintln(lw, "one record")
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "one record\n" {
		if time.Now().After(deadline) {
			t.Fatalf("not flushed by the ticker: %q", out.String())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLogWriterRecoversFromFailedWrite(t *testing.T) {
	out := &lockedBuffer{fail: true}
	lw := NewLogWriter(out, time.Hour)
	fmt.Fprintln(lw, "lost")
	if err := lw.Flush(); err == nil {
		t.Fatal("Flush hid the write error")
	}
	out.mu.Lock()
	out.fail = false
	out.mu.Unlock()
	fmt.Fprintln(lw, "kept")
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "kept\n" {
		t.Errorf("after recovery wrote %q, want %q", got, "kept\n")
	}
}

// BenchmarkAccessLog measures one access record through slog's text handler, written straight
// to the file descriptor as before, through a LogWriter, and as JSON through a LogWriter.
func BenchmarkAccessLog(b *testing.B) {
	f, err := openDevNull()
	if err != nil {
		b.Skip(err)
	}
	defer f.Close()
	for _, bc := range []struct {
		name     string
		buffered bool
		json     bool
	}{{"text/direct", false, false}, {"text/LogWriter", true, false}, {"json/LogWriter", true, true}} {
		b.Run(bc.name, func(b *testing.B) {
			var lw *LogWriter
			var h slog.Handler = slog.NewTextHandler(f, nil)
			if bc.buffered {
				lw = NewLogWriter(f, 0)
				h = slog.NewTextHandler(lw, nil)
			}
			if bc.json {
				h = slog.NewJSONHandler(lw, nil)
			}
			logger := slog.New(h)
			b.ReportAllocs()
			for b.Loop() {
				logger.LogAttrs(b.Context(), slog.LevelInfo, "request",
					slog.String("requestId", "6f1c2b0e-0c1d-4c57-9a55-2a1f3c1e7b10"),
					slog.String("service", "sts"), slog.String("action", "AssumeRole"),
					slog.String("principal", "arn:aws:iam::123456789012:user/bench"),
					slog.Int("status", 200), slog.Duration("latency", 41*time.Microsecond))
			}
			if lw != nil {
				lw.Close()
			}
		})
	}
}

func openDevNull() (*os.File, error) { return os.OpenFile(os.DevNull, os.O_WRONLY, 0) }
