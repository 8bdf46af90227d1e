package iamsvc

import "testing"

func TestAuthAndNameMarkers(t *testing.T) {
	tests := []struct {
		name    string
		e       authEntity
		wantErr bool
	}{
		{"user", authEntity{kind: 0, key: "alice"}, false},
		{"policy name with colon-free punctuation", authEntity{kind: 4, key: "a+b=c,d.e@f-g"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kind, key, err := parseAuthMarker(authMarker(tc.e))
			if err != nil || kind != tc.e.kind || key != tc.e.key {
				t.Errorf("round trip = %d %q %v", kind, key, err)
			}
			name, err := parseNameMarker(nameMarker(tc.e.key))
			if err != nil || name != tc.e.key {
				t.Errorf("name round trip = %q %v", name, err)
			}
		})
	}
	for _, bad := range []string{"!", "aWFtZC1hOjk6eA", "aWFtZC1hOjA", "aWFtZC1hOjAxOng", "aWFtZC1uOg"} {
		if _, _, err := parseAuthMarker(bad); err == nil {
			t.Errorf("parseAuthMarker(%q) accepted", bad)
		}
		if _, err := parseNameMarker(bad); err == nil {
			t.Errorf("parseNameMarker(%q) accepted", bad)
		}
	}
}

// Markers come from clients: any text is a position or InvalidInput, never a panic.
func FuzzMarkers(f *testing.F) {
	f.Add(authMarker(authEntity{kind: 2, key: "web"}))
	f.Add(nameMarker("www"))
	f.Add("")
	f.Fuzz(func(t *testing.T, m string) {
		if kind, key, err := parseAuthMarker(m); err == nil && m != "" {
			if kind < 0 || kind >= len(authKinds) || authMarker(authEntity{kind: kind, key: key}) != m {
				t.Fatalf("%q parsed to %d %q", m, kind, key)
			}
		}
		if name, err := parseNameMarker(m); err == nil && m != "" && name == "" {
			t.Fatalf("%q parsed to an empty name", m)
		}
	})
}
