package server

import (
	"strings"
	"testing"
)

func TestIssuerDocPath(t *testing.T) {
	tests := []struct {
		name, path, id, doc string
		ok                  bool
	}{
		{name: "discovery", path: "/outbound-federation/abc/.well-known/openid-configuration", id: "abc", doc: discoverySuffix, ok: true},
		{name: "jwks", path: "/outbound-federation/abc/.well-known/jwks.json", id: "abc", doc: jwksSuffix, ok: true},
		{name: "behind a proxy prefix", path: "/iamd/outbound-federation/abc/.well-known/jwks.json", id: "abc", doc: jwksSuffix, ok: true},
		{name: "empty id", path: "/outbound-federation//.well-known/jwks.json", id: "", doc: jwksSuffix, ok: true},
		{name: "id with a slash", path: "/outbound-federation/a/b/.well-known/jwks.json", id: "a/b", doc: jwksSuffix, ok: true},
		{name: "other document", path: "/outbound-federation/abc/.well-known/other", ok: false},
		{name: "API root", path: "/", ok: false},
		{name: "prefix only", path: "/outbound-federation/", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, doc, ok := issuerDocPath(tc.path)
			if id != tc.id || doc != tc.doc || ok != tc.ok {
				t.Errorf("issuerDocPath(%q) = %q, %q, %v; want %q, %q, %v", tc.path, id, doc, ok, tc.id, tc.doc, tc.ok)
			}
		})
	}
}

// FuzzIssuerDocPath: any path either is refused or splits so that prefix, id and document
// rebuild its tail.
func FuzzIssuerDocPath(f *testing.F) {
	f.Add("/outbound-federation/abc/.well-known/openid-configuration")
	f.Add("/outbound-federation/.well-known/jwks.json")
	f.Add("/x/outbound-federation/outbound-federation/a/.well-known/jwks.json")
	f.Fuzz(func(t *testing.T, p string) {
		id, doc, ok := issuerDocPath(p)
		if !ok {
			if id != "" || doc != "" {
				t.Fatalf("refused path returned %q, %q", id, doc)
			}
			return
		}
		if doc != discoverySuffix && doc != jwksSuffix {
			t.Fatalf("doc = %q", doc)
		}
		if !strings.HasSuffix(p, issuerPrefix+id+doc) {
			t.Fatalf("%q does not end in prefix+%q+%q", p, id, doc)
		}
	})
}
