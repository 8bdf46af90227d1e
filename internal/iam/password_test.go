package iam

import (
	"strings"
	"testing"
)

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("Correct-horse1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id in PHC form", h)
	}
	tests := []struct {
		name, hash, pw string
		ok, err        bool
	}{
		{"match", h, "Correct-horse1", true, false},
		{"mismatch", h, "Correct-horse2", false, false},
		{"empty hash", "", "x", false, true},
		{"other algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "Correct-horse1", false, true},
		{"huge memory", strings.Replace(h, "m=19456", "m=4000000", 1), "Correct-horse1", false, true},
		{"zero time", strings.Replace(h, "t=2", "t=0", 1), "Correct-horse1", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyPassword(tc.hash, tc.pw)
			if ok != tc.ok || (err != nil) != tc.err {
				t.Errorf("VerifyPassword = %v, %v; want %v, error %v", ok, err, tc.ok, tc.err)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	strict := &PasswordPolicy{MinimumPasswordLength: 10, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true}
	tests := []struct {
		name   string
		policy *PasswordPolicy
		pw     string
		want   string
	}{
		{"default ok with three classes", nil, "abcdefG1", ""},
		{"default short", nil, "aB1!", "Password should have a minimum length of 8"},
		{"default two classes", nil, "abcdefgh1", "Password should meet 1 more of the following requirements: Password should have at least one uppercase letter, Password should have at least one symbol"},
		{"strict ok", strict, "Abcdefgh1|", ""},
		{"strict all missing", strict, "", "Password should have a minimum length of 10, Password should have at least one uppercase letter, Password should have at least one lowercase letter, Password should have at least one number, Password should have at least one symbol"},
		{"non-ASCII is no symbol", strict, "Abcdefgh1é", "Password should have at least one symbol"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckPassword(tc.policy, tc.pw); got != tc.want {
				t.Errorf("CheckPassword(%q) = %q, want %q", tc.pw, got, tc.want)
			}
		})
	}
}

// FuzzVerifyPassword: a stored hash of any shape yields an answer or an error, never a panic or
// an unbounded computation.
func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA", "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if ok, err := VerifyPassword(hash, pw); ok && err != nil {
			t.Fatal("match with an error")
		}
		_ = CheckPassword(nil, pw)
	})
}
