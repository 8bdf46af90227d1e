package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/pflag"
)

// addLogFlags adds serve's --log-format and --log-level (IAMD_LOG_FORMAT, IAMD_LOG_LEVEL, or the
// config file's keys, as every flag). A wrong value is refused when the settings are resolved,
// before anything is created.
func addLogFlags(f *pflag.FlagSet) {
	f.Var(&choice{value: "text", of: []string{"text", "json"}}, "log-format", "log records as text (key=value) or json, one per line; the access log too")
	f.Var(&choice{value: "info", of: []string{"debug", "info", "warn", "error"}}, "log-level", "the least severe records logged: debug, info (with one access record per request), warn or error")
}

// serveLogger is newLogger with the values of serve's flags.
func serveLogger(f *pflag.FlagSet, w io.Writer) (logger *slog.Logger, access io.Writer) {
	logger, access, err := newLogger(w, f.Lookup("log-format").Value.String(), f.Lookup("log-level").Value.String())
	if err != nil {
		panic(err) // the flags' values were checked when they were set
	}
	return logger, access
}

// newLogger returns the logger of format ("text" or "json") and level ("debug", "info", "warn",
// "error") writing to w, and the writer for the server's access log (node.Config.AccessLog). The
// access writer is w for text at info or below, where the server writes records itself in
// slog's text format (faster than slog); otherwise nil, and the server logs each request
// through the logger, which writes it as JSON or, above info, drops it.
func newLogger(w io.Writer, format, level string) (*slog.Logger, io.Writer, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil || strings.ContainsAny(level, "+-") {
		return nil, nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		var access io.Writer
		if lvl <= slog.LevelInfo {
			access = w
		}
		return slog.New(slog.NewTextHandler(w, opts)), access, nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil, nil
	}
	return nil, nil, fmt.Errorf("log format %q: want text or json", format)
}

// choice is a flag value that is one of a few words.
type choice struct {
	value string
	of    []string
}

func (c *choice) String() string { return c.value }
func (c *choice) Type() string   { return "string" }

func (c *choice) Set(v string) error {
	v = strings.ToLower(v)
	for _, o := range c.of {
		if v == o {
			c.value = v
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(c.of, ", "))
}
