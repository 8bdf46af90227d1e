package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/seal"
)

// envOnly are the settings of serve that have no flag: secrets and first-start identities do
// not belong on a command line, where every user of the machine can read them.
var envOnly = []string{"account-id", "root-access-key-id", "root-secret-access-key", "root-password", "master-key", "cpu-profile",
	"s3-backend-access-key-id", "s3-backend-secret-access-key", "s3-backend-region"}

// settings is serve's resolved configuration.
type settings struct {
	Addr, Data, Store, PostgresDSN, PublicURL string
	TLSCert, TLSKey                           string
	TLSSelfSigned                             bool
	AccountID, RootAccessKeyID, RootSecret    string
	RootPassword                              string // the root user's console password, at first start
	MasterKey, CPUProfile                     string
	// S3: the backend ("local", "off" or an S3 URL), its credentials, and the virtual-hosted domain.
	S3Backend, S3Domain                       string
	S3BackendKeyID, S3BackendSecret, S3Region string
	// Warnings are settings that are given but have no effect, logged at start.
	Warnings []string
}

// resolveSettings applies, to every setting of serve, the first of: the flag given on the
// command line, the environment variable IAMD_<NAME>, the key <name> of the --config file, the
// default. The config file's name is itself a flag (or IAMD_CONFIG).
func resolveSettings(cmd *cobra.Command) (*settings, error) {
	fs := cmd.Flags()
	file := map[string]string{}
	cfgPath, _ := fs.GetString("config")
	if !fs.Changed("config") {
		cfgPath = os.Getenv("IAMD_CONFIG")
	}
	if cfgPath != "" {
		var err error
		if file, err = readConfigFile(cfgPath, cmd); err != nil {
			return nil, err
		}
	}
	var err error
	fs.VisitAll(func(f *pflagFlag) {
		if f.Changed || err != nil || f.Name == "config" || f.Name == "help" {
			return
		}
		env := "IAMD_" + envName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %w", env, e)
			}
		} else if v, ok := file[f.Name]; ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s: %s: %w", cfgPath, f.Name, e)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	only := func(name string) string {
		if v, ok := os.LookupEnv("IAMD_" + envName(name)); ok {
			return v
		}
		return file[name]
	}
	s := &settings{
		AccountID: only("account-id"), RootAccessKeyID: only("root-access-key-id"),
		RootSecret: only("root-secret-access-key"), RootPassword: only("root-password"), MasterKey: only("master-key"), CPUProfile: only("cpu-profile"),
		S3BackendKeyID: only("s3-backend-access-key-id"), S3BackendSecret: only("s3-backend-secret-access-key"),
		S3Region: only("s3-backend-region"),
	}
	s.S3Backend, _ = fs.GetString("s3-backend")
	s.S3Domain, _ = fs.GetString("s3-domain")
	s.Addr, _ = fs.GetString("addr")
	s.Data, _ = fs.GetString("data")
	s.Store, _ = fs.GetString("store")
	s.PostgresDSN, _ = fs.GetString("postgres-dsn")
	s.PublicURL, _ = fs.GetString("public-url")
	s.TLSCert, _ = fs.GetString("tls-cert")
	s.TLSKey, _ = fs.GetString("tls-key")
	s.TLSSelfSigned, _ = fs.GetBool("tls-self-signed")
	return s, s.validate()
}

// readConfigFile reads a YAML mapping of setting names to scalar values. A key that names no
// setting is an error: a misspelt setting silently left at its default is worse than a refusal.
func readConfigFile(path string, cmd *cobra.Command) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	known := map[string]bool{}
	cmd.Flags().VisitAll(func(f *pflagFlag) { known[f.Name] = f.Name != "config" && f.Name != "help" })
	for _, k := range envOnly {
		known[k] = true
	}
	// Decoding into yaml.Node keeps each scalar's text as written: 012345678901 stays an account
	// id rather than becoming a number without its leading zero.
	var doc map[string]yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	out := make(map[string]string, len(doc))
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := doc[k]
		if !known[k] {
			return nil, fmt.Errorf("config file %s: unknown setting %q (line %d)", path, k, v.Line)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("config file %s: %s: want a single value (line %d)", path, k, v.Line)
		}
		out[k] = v.Value
	}
	return out, nil
}

// accessKeyIDShape and secretShape are the forms of the long-term keys AWS issues: an id of
// AKIA and 16 base32 letters, a secret of 40 letters of the base64 alphabet.
var (
	accessKeyIDShape = regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`)
	secretShape      = regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)
)

// validate refuses settings that cannot be right, before anything is bound or created.
func (s *settings) validate() error {
	_, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", s.Addr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("--addr %q: the port must be a number from 0 to 65535", s.Addr)
	}
	if s.Data == "" {
		return errors.New("--data: give a data directory")
	}
	switch s.Store {
	case node.StoreSQLite:
		if s.PostgresDSN != "" {
			s.Warnings = append(s.Warnings, "--postgres-dsn is ignored with --store sqlite")
		}
	case node.StorePostgres:
		if s.PostgresDSN == "" {
			return errors.New("--store postgres needs --postgres-dsn (or IAMD_POSTGRES_DSN)")
		}
	default:
		return fmt.Errorf("--store %q: want %s or %s", s.Store, node.StoreSQLite, node.StorePostgres)
	}
	if s.PublicURL != "" {
		u, err := url.Parse(s.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--public-url %q: want an absolute http(s) URL", s.PublicURL)
		}
	}
	switch s.S3Backend {
	case node.S3Local, node.S3Off:
	default:
		u, err := url.Parse(s.S3Backend)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("--s3-backend %q: want local, off or an S3 URL http(s)://host:port", s.S3Backend)
		}
		if s.S3BackendKeyID == "" || s.S3BackendSecret == "" {
			return errors.New("--s3-backend with an S3 URL needs IAMD_S3_BACKEND_ACCESS_KEY_ID and IAMD_S3_BACKEND_SECRET_ACCESS_KEY")
		}
	}
	if s.AccountID != "" && !iam.IsAccountID(s.AccountID) {
		return fmt.Errorf("IAMD_ACCOUNT_ID %q: an account id is 12 digits", s.AccountID)
	}
	if (s.RootAccessKeyID == "") != (s.RootSecret == "") {
		return errors.New("IAMD_ROOT_ACCESS_KEY_ID and IAMD_ROOT_SECRET_ACCESS_KEY: give both or neither")
	}
	if s.RootAccessKeyID != "" && !accessKeyIDShape.MatchString(s.RootAccessKeyID) {
		return fmt.Errorf("IAMD_ROOT_ACCESS_KEY_ID %q: an access key id is AKIA and 16 characters of A-Z and 2-7, as AWS issues them", s.RootAccessKeyID)
	}
	if s.RootSecret != "" && !secretShape.MatchString(s.RootSecret) {
		return errors.New("IAMD_ROOT_SECRET_ACCESS_KEY: a secret access key is 40 characters of A-Z, a-z, 0-9, / and +, as AWS issues them")
	}
	if s.MasterKey != "" {
		if _, err := seal.ParseMasterKey(s.MasterKey); err != nil {
			return fmt.Errorf("IAMD_MASTER_KEY: %w", err)
		}
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key: give both or neither")
	}
	if s.TLSSelfSigned && s.TLSCert != "" {
		return errors.New("--tls-self-signed and --tls-cert: give one or the other")
	}
	return nil
}
