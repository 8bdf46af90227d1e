package iam

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/awserr"
)

func TestAccountFromAccessKeyID(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		want    string
		wantErr bool
	}{
		// Published example: the key id and the account GetAccessKeyInfo returned for it.
		{"aws temporary key", "ASIAY34FZKBOKMUTVV7A", "609629065308", false},
		{"too short", "ASIAY34FZKBOKMUTVV7", "", true},
		{"too long", "ASIAY34FZKBOKMUTVV7AA", "", true},
		{"not base32", "ASIA0000000000000000", "", true},
		{"lower case", "asiay34fzkbokmutvv7a", "", true},
		{"account out of range", "AKIA7777777777777777", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AccountFromAccessKeyID(tc.id)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("account = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewAccessKeyIDRoundTrip(t *testing.T) {
	shape := regexp.MustCompile(`^(AKIA|ASIA)[A-Z2-7]{16}$`)
	for _, tc := range []struct{ name, prefix, account string }{
		{"long-term", PrefixAccessKey, "123456789012"},
		{"temporary", PrefixTemporaryKey, "609629065308"},
		{"zero account", PrefixAccessKey, "000000000000"},
		{"max account", PrefixAccessKey, "999999999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			for range 50 {
				id, err := NewAccessKeyID(tc.prefix, tc.account)
				if err != nil {
					t.Fatal(err)
				}
				if !shape.MatchString(id) || !strings.HasPrefix(id, tc.prefix) {
					t.Fatalf("id %q has the wrong shape", id)
				}
				if seen[id] {
					t.Fatalf("duplicate id %q", id)
				}
				seen[id] = true
				got, err := AccountFromAccessKeyID(id)
				if err != nil || got != tc.account {
					t.Fatalf("AccountFromAccessKeyID(%q) = %q, %v; want %q", id, got, err, tc.account)
				}
			}
		})
	}
	for _, bad := range []struct{ name, prefix, account string }{
		{"short account", "AKIA", "12345"},
		{"letters", "AKIA", "12345678901a"},
		{"bad prefix", "AK", "123456789012"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			if _, err := NewAccessKeyID(bad.prefix, bad.account); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestNewIDAndSecret(t *testing.T) {
	idShape := regexp.MustCompile(`^[A-Z]{4}[A-Z2-7]{17}$`)
	for _, p := range []string{PrefixUser, PrefixRole, PrefixGroup, PrefixPolicy, PrefixInstanceProfile} {
		id := NewID(p)
		if !strings.HasPrefix(id, p) || !idShape.MatchString(id) {
			t.Errorf("NewID(%q) = %q", p, id)
		}
	}
	secretShape := regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)
	if s := NewSecretAccessKey(); !secretShape.MatchString(s) {
		t.Errorf("secret %q has the wrong shape", s)
	}
	if a, b := NewSecretAccessKey(), NewSecretAccessKey(); a == b {
		t.Error("two secrets are equal")
	}
}

func wantValidation(t *testing.T, err error, wantMsg string) {
	t.Helper()
	if wantMsg == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error %v is not an *awserr.Error", err)
	}
	if e.Message != wantMsg {
		t.Errorf("message\n got %s\nwant %s", e.Message, wantMsg)
	}
}

func TestValidateNames(t *testing.T) {
	tests := []struct {
		name    string
		fn      func(string, string) error
		value   string
		wantMsg string
	}{
		{"user ok", ValidateUserName, "bob+ci=x,y.z@w-_9", ""},
		{"user space", ValidateUserName, "bad name", `1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"user 64", ValidateUserName, strings.Repeat("a", 64), ""},
		{"user 65", ValidateUserName, strings.Repeat("a", 65), "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"user empty", ValidateUserName, "", `2 validation errors detected: Value at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"user unicode letter", ValidateUserName, "bé", `1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"role 65", ValidateRoleName, strings.Repeat("r", 65), "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"group 128", ValidateGroupName, strings.Repeat("g", 128), ""},
		{"policy 129", ValidatePolicyName, strings.Repeat("p", 129), "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"instance profile slash", ValidateInstanceProfileName, "a/b", `1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantValidation(t, tc.fn("userName", tc.value), tc.wantMsg) })
	}
}

func TestValidatePaths(t *testing.T) {
	tests := []struct {
		name  string
		fn    func(string, string) error
		value string
		ok    bool
	}{
		{"root", ValidatePath, "/", true},
		{"nested", ValidatePath, "/a/b-c/", true},
		{"any printable", ValidatePath, "/a*b!~/", true},
		{"triple slash", ValidatePath, "///", true},
		{"double slash", ValidatePath, "//", false},
		{"no trailing", ValidatePath, "/a", false},
		{"no leading", ValidatePath, "a/", false},
		{"space", ValidatePath, "/a b/", false},
		{"empty", ValidatePath, "", false},
		{"too long", ValidatePath, "/" + strings.Repeat("a", 511) + "/", false},
		{"max", ValidatePath, "/" + strings.Repeat("a", 510) + "/", true},
		{"policy root", ValidatePolicyPath, "/", true},
		{"policy nested", ValidatePolicyPath, "/a/b.c/", true},
		{"policy star", ValidatePolicyPath, "/a*/", false},
		{"policy empty segment", ValidatePolicyPath, "/a//", false},
		{"prefix root", ValidatePathPrefix, "/", true},
		{"prefix partial", ValidatePathPrefix, "/dev", true},
		{"prefix relative", ValidatePathPrefix, "dev/", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.fn("path", tc.value)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				if e, ok := awserr.As(err); !ok || e.Code != "ValidationError" || e.Status != 400 {
					t.Errorf("error %v, want a 400 ValidationError", err)
				}
			}
		})
	}
}

func TestValidateTags(t *testing.T) {
	many := make([]Tag, 51)
	for i := range many {
		many[i] = Tag{Key: strings.Repeat("k", i+1)}
	}
	tests := []struct {
		name     string
		tags     []Tag
		wantCode string
		exact    string // the code when keys compare exactly, if it differs
	}{
		{"none", nil, "", ""},
		{"ok", []Tag{{"team", "a b"}, {"Ünïcode:/=+-@_.", "値"}, {"empty-value", ""}}, "", ""},
		{"duplicate keys differing in case", []Tag{{"Team", "a"}, {"team", "b"}}, "InvalidInput", "none"},
		{"duplicate keys", []Tag{{"team", "a"}, {"team", "b"}}, "InvalidInput", ""},
		{"empty key", []Tag{{"", "v"}}, "ValidationError", ""},
		{"key too long", []Tag{{strings.Repeat("k", 129), "v"}}, "ValidationError", ""},
		{"value too long", []Tag{{"k", strings.Repeat("v", 257)}}, "ValidationError", ""},
		{"bad key char", []Tag{{"a*b", "v"}}, "ValidationError", ""},
		{"bad value char", []Tag{{"k", "a#b"}}, "ValidationError", ""},
		{"invalid utf8", []Tag{{"k\xff", "v"}}, "ValidationError", ""},
		{"51 tags", many, "ValidationError", ""},
		{"50 tags", many[:50], "", ""},
		{"reserved key prefix", []Tag{{"aws:team", "a"}}, "InvalidInput", ""},
		{"reserved key prefix upper case", []Tag{{"AWS:team", "a"}}, "InvalidInput", ""},
		{"reserved key prefix mixed case", []Tag{{"aWs:team", "a"}}, "InvalidInput", ""},
		{"reserved key prefix alone", []Tag{{"aws:", "a"}}, "InvalidInput", ""},
		{"reserved value prefix", []Tag{{"team", "aws:a"}}, "InvalidInput", ""},
		{"reserved value prefix upper case", []Tag{{"team", "AWS:"}}, "InvalidInput", ""},
		{"reserved prefix on a later tag", []Tag{{"team", "a"}, {"Aws:x", ""}}, "InvalidInput", ""},
		{"aws without colon", []Tag{{"aws", "aws"}, {"awsteam", "awsvalue"}, {"aws_x", "aws-x"}}, "", ""},
		{"aws: inside key and value", []Tag{{"team:aws:x", "x:aws:y"}}, "", ""},
		{"reserved prefix over the length limit is a ValidationError", []Tag{{"aws:" + strings.Repeat("k", 125), ""}}, "ValidationError", ""},
	}
	for _, tc := range tests {
		for _, kc := range []TagKeyCase{FoldTagKeys, ExactTagKeys} {
			t.Run(fmt.Sprintf("%s/fold=%v", tc.name, kc), func(t *testing.T) {
				want := tc.wantCode
				if kc == ExactTagKeys && tc.exact != "" {
					want = tc.exact
				}
				err := ValidateTags(tc.tags, kc)
				if want == "" || want == "none" {
					if err != nil {
						t.Fatalf("unexpected %v", err)
					}
					return
				}
				e, ok := awserr.As(err)
				if !ok || e.Code != want {
					t.Fatalf("err = %v, want code %s", err, want)
				}
			})
		}
	}
}

func TestCheckReservedTagPrefix(t *testing.T) {
	const rest = "tag keys and values cannot begin with the prefix aws:, which is reserved for AWS use."
	tests := []struct {
		name, key, value string
		wantMsg          string // "" means accepted
	}{
		{"plain", "team", "blue", ""},
		{"empty value", "team", "", ""},
		{"prefix without colon", "awsteam", "aws", ""},
		{"short strings", "aw", "a", ""},
		{"key", "aws:team", "blue", "Tag key 'aws:team' is invalid: " + rest},
		{"key in upper case", "AWS:team", "blue", "Tag key 'AWS:team' is invalid: " + rest},
		{"value", "team", "aws:blue", "Tag value 'aws:blue' of key 'team' is invalid: " + rest},
		{"value in mixed case", "team", "Aws:", "Tag value 'Aws:' of key 'team' is invalid: " + rest},
		{"key decides before value", "aws:k", "aws:v", "Tag key 'aws:k' is invalid: " + rest},
		// U+017F folds to s under Unicode rules; only the ASCII prefix is reserved.
		{"long s is not s", "aw\u017f:team", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckReservedTagPrefix(tc.key, tc.value)
			if tc.wantMsg == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			e, ok := awserr.As(err)
			if !ok || e.Code != "InvalidInput" || e.Status != 400 || e.Message != tc.wantMsg {
				t.Fatalf("err = %#v, want InvalidInput 400 %q", err, tc.wantMsg)
			}
		})
	}
}

// FuzzValidateTags checks that any one tag is answered without a panic, and that a key or value
// beginning with aws: in any case is never accepted.
func FuzzValidateTags(f *testing.F) {
	f.Add("team", "blue")
	f.Add("aws:team", "")
	f.Add("k", "AWS:v")
	f.Add("", "\xff")
	f.Fuzz(func(t *testing.T, key, value string) {
		err := ValidateTags([]Tag{{key, value}}, FoldTagKeys)
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("non-AWS error %v", err)
			}
			return
		}
		if strings.HasPrefix(strings.ToLower(key), "aws:") || strings.HasPrefix(strings.ToLower(value), "aws:") {
			t.Fatalf("accepted reserved tag %q=%q", key, value)
		}
	})
}

func TestMergeAndRemoveTags(t *testing.T) {
	existing := []Tag{{"Team", "a"}, {"env", "dev"}}
	tests := []struct {
		name       string
		kc         TagKeyCase
		wantMerged []Tag
		wantLeft   []Tag // after removing TEAM and an absent key from the merged tags
	}{
		{"keys fold case (users, roles)", FoldTagKeys,
			[]Tag{{"team", "b"}, {"env", "dev"}, {"new", "x"}},
			[]Tag{{"env", "dev"}, {"new", "x"}}},
		{"keys are exact (other kinds)", ExactTagKeys,
			[]Tag{{"Team", "a"}, {"env", "dev"}, {"team", "b"}, {"new", "x"}},
			[]Tag{{"Team", "a"}, {"env", "dev"}, {"team", "b"}, {"new", "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MergeTags(existing, []Tag{{"team", "b"}, {"new", "x"}}, tc.kc)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.wantMerged) {
				t.Errorf("MergeTags = %v, want %v", got, tc.wantMerged)
			}
			if left := RemoveTags(got, []string{"TEAM", "absent"}, tc.kc); !slices.Equal(left, tc.wantLeft) {
				t.Errorf("RemoveTags = %v, want %v", left, tc.wantLeft)
			}
		})
	}
	full := make([]Tag, 50)
	for i := range full {
		full[i] = Tag{Key: strings.Repeat("k", i+1)}
	}
	if _, err := MergeTags(full, []Tag{{"extra", ""}}, FoldTagKeys); err == nil {
		t.Error("MergeTags accepted a 51st tag")
	} else if e, _ := awserr.As(err); e == nil || e.Code != "LimitExceeded" {
		t.Errorf("MergeTags error = %v, want LimitExceeded", err)
	}
}

func TestARNs(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"root", RootARN("123456789012"), "arn:aws:iam::123456789012:root"},
		{"user", UserARN("123456789012", "/", "bob"), "arn:aws:iam::123456789012:user/bob"},
		{"user with path", UserARN("123456789012", "/dev/ops/", "bob"), "arn:aws:iam::123456789012:user/dev/ops/bob"},
		{"group", GroupARN("123456789012", "/", "admins"), "arn:aws:iam::123456789012:group/admins"},
		{"role", RoleARN("123456789012", "/svc/", "r"), "arn:aws:iam::123456789012:role/svc/r"},
		{"policy", PolicyARN("123456789012", "/", "p"), "arn:aws:iam::123456789012:policy/p"},
		{"aws managed policy", PolicyARN("aws", "/", "AdministratorAccess"), "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"instance profile", InstanceProfileARN("123456789012", "/", "ip"), "arn:aws:iam::123456789012:instance-profile/ip"},
		{"assumed role", AssumedRoleARN("123456789012", "r", "sess"), "arn:aws:sts::123456789012:assumed-role/r/sess"},
		{"federated user", FederatedUserARN("123456789012", "fed"), "arn:aws:sts::123456789012:federated-user/fed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %s, want %s", tc.got, tc.want)
			}
		})
	}
}

func TestPolicySizeAndQuotas(t *testing.T) {
	if got := PolicySize("{ \"a\" :\n\t1 }"); got != 7 {
		t.Errorf("PolicySize = %d, want 7", got)
	}
	for k, want := range map[EntityKind]int{KindUser: 2048, KindGroup: 5120, KindRole: 10240} {
		if got := MaxInlinePolicyChars(k); got != want {
			t.Errorf("MaxInlinePolicyChars(%s) = %d, want %d", k, got, want)
		}
	}
}

func FuzzAccountFromAccessKeyID(f *testing.F) {
	f.Add("ASIAY34FZKBOKMUTVV7A")
	f.Add("AKIA")
	f.Fuzz(func(t *testing.T, id string) {
		acct, err := AccountFromAccessKeyID(id)
		if err != nil {
			return
		}
		if !IsAccountID(acct) {
			t.Fatalf("decoded %q, not an account id", acct)
		}
		again, err := NewAccessKeyID(id[:4], acct)
		if err != nil && len(id[:4]) == 4 {
			t.Fatalf("cannot re-encode %q: %v", acct, err)
		}
		if got, _ := AccountFromAccessKeyID(again); got != acct {
			t.Fatalf("re-encoded account %q decodes to %q", acct, got)
		}
	})
}

func FuzzValidators(f *testing.F) {
	f.Add("bob", "/a/b/", "key", "value")
	f.Fuzz(func(t *testing.T, name, path, key, value string) {
		for _, err := range []error{
			ValidateUserName("userName", name), ValidatePath("path", path), ValidatePolicyPath("path", path),
			ValidatePathPrefix("pathPrefix", path), ValidateTags([]Tag{{key, value}}, FoldTagKeys), ValidateTags([]Tag{{key, value}, {value, key}}, ExactTagKeys),
		} {
			if err == nil {
				continue
			}
			var e *awserr.Error
			if !errors.As(err, &e) {
				t.Fatalf("non-AWS error %v", err)
			}
		}
		// The hand-written matchers must agree with the model's patterns.
		if ValidName(name) != regexp.MustCompile(`^[\w+=,.@-]+$`).MatchString(name) {
			t.Fatalf("ValidName(%q) disagrees with the pattern", name)
		}
		if ValidPath(path) != regexp.MustCompile(`^(/|/[\x21-\x7e]+/)$`).MatchString(path) {
			t.Fatalf("ValidPath(%q) disagrees with the pattern", path)
		}
		if ValidPolicyPath(path) != regexp.MustCompile(`^((/[A-Za-z0-9\.,\+@=_-]+)*)/$`).MatchString(path) {
			t.Fatalf("ValidPolicyPath(%q) disagrees with the pattern", path)
		}
		if utf8ok := validTagText(key); utf8ok != regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`).MatchString(key) {
			t.Fatalf("validTagText(%q) disagrees with the pattern", key)
		}
	})
}

func TestAppendFoldedName(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"lower", "bob", "p/bob"},
		{"mixed ASCII", "Bob_Smith+1=A,B.C@D-E", "p/bob_smith+1=a,b.c@d-e"},
		{"empty", "", "p/"},
		{"non-ASCII folds by Unicode", "ÉRIC-X", "p/éric-x"},
		{"non-ASCII after ASCII letters", "AbÖ", "p/abö"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(AppendFoldedName([]byte("p/"), tc.in)); got != tc.want {
				t.Errorf("AppendFoldedName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// AppendAccessKey appends an id AccountFromAccessKeyID reads back and a secret of the usual
// shape, after whatever dst held; bad arguments leave dst as it was.
func TestAppendAccessKey(t *testing.T) {
	secretShape := regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)
	for _, tc := range []struct {
		name, prefix, account, dst string
		ok                         bool
	}{
		{"temporary key", PrefixTemporaryKey, "123456789012", "", true},
		{"long-term key after other bytes", PrefixAccessKey, "000000000001", "head:", true},
		{"largest account", PrefixTemporaryKey, "999999999999", "", true},
		{"short prefix", "ASI", "123456789012", "x", false},
		{"bad account", PrefixTemporaryKey, "12345678901a", "x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := AppendAccessKey([]byte(tc.dst), tc.prefix, tc.account)
			if !tc.ok {
				if err == nil || string(out) != tc.dst {
					t.Fatalf("AppendAccessKey = %q, %v; want an error and %q", out, err, tc.dst)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rest, found := strings.CutPrefix(string(out), tc.dst)
			if !found || len(rest) != AccessKeyIDLen+SecretKeyLen {
				t.Fatalf("AppendAccessKey = %q", out)
			}
			id, secret := rest[:AccessKeyIDLen], rest[AccessKeyIDLen:]
			if !strings.HasPrefix(id, tc.prefix) {
				t.Errorf("id %q lacks prefix %s", id, tc.prefix)
			}
			if acct, err := AccountFromAccessKeyID(id); err != nil || acct != tc.account {
				t.Errorf("AccountFromAccessKeyID(%q) = %q, %v; want %s", id, acct, err, tc.account)
			}
			if !secretShape.MatchString(secret) {
				t.Errorf("secret %q has the wrong shape", secret)
			}
		})
	}
	a, _ := AppendAccessKey(nil, PrefixTemporaryKey, "123456789012")
	b, _ := AppendAccessKey(nil, PrefixTemporaryKey, "123456789012")
	if string(a) == string(b) {
		t.Error("two keys are equal")
	}
}

// The secret's letters are cut from random bits: every letter of the alphabet must come up
// about equally often (80,000 letters, 1,250 expected each; the bounds are about seven
// standard deviations).
func TestAppendAccessKeySecretLetters(t *testing.T) {
	counts := map[byte]int{}
	for range 2000 {
		out, err := AppendAccessKey(nil, PrefixTemporaryKey, "123456789012")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out[AccessKeyIDLen:] {
			counts[c]++
		}
	}
	for i := range len(secretAlphabet) {
		if n := counts[secretAlphabet[i]]; n < 1000 || n > 1500 {
			t.Errorf("letter %q came up %d times of 80,000, want about 1,250", secretAlphabet[i], n)
		}
	}
	if len(counts) != len(secretAlphabet) {
		t.Errorf("%d distinct letters, want %d", len(counts), len(secretAlphabet))
	}
}

func TestParseEntityARN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want EntityARN
		ok   bool
	}{
		{"arn:aws:iam::123456789012:role/r", EntityARN{"123456789012", "role", "/", "r"}, true},
		{"arn:aws:iam::123456789012:user/a/b/carol", EntityARN{"123456789012", "user", "/a/b/", "carol"}, true},
		{"arn:aws:iam::123456789012:role/", EntityARN{}, false},
		{"arn:aws:iam::123456789012:root", EntityARN{}, false},
		{"arn:aws:iam:us-east-1:123456789012:role/r", EntityARN{}, false},
		{"arn:aws:sts::123456789012:assumed-role/r/s", EntityARN{}, false},
		{"arn:aws:iam::12345:role/r", EntityARN{}, false},
		{"arn:aws-cn:iam::123456789012:role/r", EntityARN{}, false},
	} {
		got, ok := ParseEntityARN(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseEntityARN(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
