package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each setting is the first of: the flag, the environment, the config file, the default.
func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "iamd.yaml")
	if err := os.WriteFile(file, []byte("addr: 127.0.0.1:3\naccount-id: 012345678901\ntls-self-signed: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		flag, env  string
		withFile   bool
		wantAddr   string
		wantAcct   string
		acctEnv    string
		wantSigned bool
	}{
		{name: "default", wantAddr: "127.0.0.1:8777"},
		{name: "file", withFile: true, wantAddr: "127.0.0.1:3", wantAcct: "012345678901", wantSigned: true},
		{name: "env over file", withFile: true, env: "127.0.0.1:2", acctEnv: "111111111111", wantAddr: "127.0.0.1:2", wantAcct: "111111111111", wantSigned: true},
		{name: "flag over env and file", withFile: true, flag: "127.0.0.1:1", env: "127.0.0.1:2", wantAddr: "127.0.0.1:1", wantAcct: "012345678901", wantSigned: true},
		{name: "env over default", env: "127.0.0.1:2", wantAddr: "127.0.0.1:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("IAMD_ADDR", tt.env)
			}
			if tt.acctEnv != "" {
				t.Setenv("IAMD_ACCOUNT_ID", tt.acctEnv)
			}
			var args []string
			if tt.flag != "" {
				args = append(args, "--addr", tt.flag)
			}
			if tt.withFile {
				args = append(args, "--config", file)
			}
			cmd := newServe()
			if err := cmd.ParseFlags(args); err != nil {
				t.Fatal(err)
			}
			s, err := resolveSettings(cmd)
			if err != nil {
				t.Fatal(err)
			}
			if s.Addr != tt.wantAddr || s.AccountID != tt.wantAcct || s.TLSSelfSigned != tt.wantSigned {
				t.Errorf("addr %q account %q self-signed %v; want %q %q %v", s.Addr, s.AccountID, s.TLSSelfSigned, tt.wantAddr, tt.wantAcct, tt.wantSigned)
			}
		})
	}
}

// Every flag and environment setting of serve is a key of the file.
func TestConfigFileKnowsEverySetting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "iamd.yaml")
	yaml := `addr: 127.0.0.1:0
data: /tmp/d
store: sqlite
postgres-dsn: ""
public-url: https://iamd.example.com
tls-cert: ""
tls-key: ""
tls-self-signed: false
account-id: "210987654321"
root-access-key-id: AKIAIOSFODNN7EXAMPLE
root-secret-access-key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
master-key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
cpu-profile: ""
`
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := newServe()
	if err := cmd.ParseFlags([]string{"--config", file}); err != nil {
		t.Fatal(err)
	}
	s, err := resolveSettings(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if s.Data != "/tmp/d" || s.PublicURL != "https://iamd.example.com" || s.RootAccessKeyID != testRootKeyID || s.RootSecret != testRootKey || s.MasterKey == "" {
		t.Errorf("%+v", s)
	}
}

func TestConfigFileRefusals(t *testing.T) {
	for name, body := range map[string]string{
		"unknown key":   "addr: 127.0.0.1:0\nadress: 127.0.0.1:1\n",
		"not a mapping": "- addr\n",
		"list value":    "addr: [a, b]\n",
		"bad value":     "tls-self-signed: maybe\n",
	} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "iamd.yaml")
			if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(t.TempDir(), "data")
			out, err := run(t, "", "serve", "--config", file, "--data", data)
			if err == nil {
				t.Fatalf("accepted:\n%s", out)
			}
			if name == "unknown key" && !strings.Contains(err.Error(), `"adress"`) {
				t.Errorf("the error does not name the key: %v", err)
			}
			if _, err := os.Stat(data); err == nil {
				t.Error("the refused start made the data directory")
			}
		})
	}
}

func TestVersionString(t *testing.T) {
	out, err := run(t, "", "version")
	if err != nil || !strings.Contains(out, "go go1.") {
		t.Fatalf("%q %v", out, err)
	}
	if v := versionString(); v == "" || v == "dev" {
		t.Errorf("version %q", v)
	}
}
