package iam

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordPolicy is the account password policy. Zero MaxPasswordAge and PasswordReusePrevention
// mean "not set", as AWS reports them.
type PasswordPolicy struct {
	MinimumPasswordLength      int32
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             int32 // days, 0 = passwords do not expire
	PasswordReusePrevention    int32 // how many previous passwords may not be reused, 0 = any
	HardExpiry                 bool
}

// DefaultMinimumPasswordLength is what UpdateAccountPasswordPolicy sets when the length is not
// given.
const DefaultMinimumPasswordLength = 6

// passwordSymbols are the characters AWS counts as symbols.
const passwordSymbols = "!@#$%^&*()_+-=[]{}|'"

func passwordClasses(pw string) (upper, lower, number, symbol bool) {
	for _, r := range pw {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			number = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	return
}

const (
	reqUpper  = "Password should have at least one uppercase letter"
	reqLower  = "Password should have at least one lowercase letter"
	reqNumber = "Password should have at least one number"
	reqSymbol = "Password should have at least one symbol"
)

// CheckPassword returns the PasswordPolicyViolation reason pw fails, "" if it passes. A nil policy
// is AWS's default policy: at least 8 characters and three of the four character classes.
func CheckPassword(p *PasswordPolicy, pw string) string {
	upper, lower, number, symbol := passwordClasses(pw)
	if p == nil {
		if len(pw) < 8 {
			return "Password should have a minimum length of 8"
		}
		var missing []string
		for _, c := range []struct {
			ok  bool
			req string
		}{{upper, reqUpper}, {lower, reqLower}, {number, reqNumber}, {symbol, reqSymbol}} {
			if !c.ok {
				missing = append(missing, c.req)
			}
		}
		if len(missing) > 1 { // three of four classes are required
			return fmt.Sprintf("Password should meet %d more of the following requirements: %s", len(missing)-1, strings.Join(missing, ", "))
		}
		return ""
	}
	var failed []string
	if int32(len(pw)) < p.MinimumPasswordLength {
		failed = append(failed, fmt.Sprintf("Password should have a minimum length of %d", p.MinimumPasswordLength))
	}
	for _, c := range []struct {
		need, ok bool
		req      string
	}{{p.RequireUppercaseCharacters, upper, reqUpper}, {p.RequireLowercaseCharacters, lower, reqLower},
		{p.RequireNumbers, number, reqNumber}, {p.RequireSymbols, symbol, reqSymbol}} {
		if c.need && !c.ok {
			failed = append(failed, c.req)
		}
	}
	return strings.Join(failed, ", ")
}

// Argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane), which keeps a
// console login well under 100 ms on one core.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of pw in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("iam: random: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("iam: not an argon2id password hash")

// Upper bounds on parameters read from a stored hash, so a corrupted record cannot make a
// verification allocate gigabytes or run for minutes.
const (
	maxArgonMemory = 1 << 20 // KiB: 1 GiB
	maxArgonTime   = 16
)

type argonHash struct {
	memory       uint32
	time         uint32
	threads      uint8
	salt, digest []byte
}

func parseHash(h string) (argonHash, error) {
	var a argonHash
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return a, errBadHash
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return a, errBadHash
		}
		switch k {
		case "m":
			a.memory = uint32(n)
		case "t":
			a.time = uint32(n)
		case "p":
			if n > 255 {
				return a, errBadHash
			}
			a.threads = uint8(n)
		default:
			return a, errBadHash
		}
	}
	if a.memory == 0 || a.memory > maxArgonMemory || a.time == 0 || a.time > maxArgonTime || a.threads == 0 || a.memory < 8*uint32(a.threads) {
		return a, errBadHash
	}
	var err error
	if a.salt, err = b64.DecodeString(parts[4]); err != nil || len(a.salt) == 0 {
		return a, errBadHash
	}
	if a.digest, err = b64.DecodeString(parts[5]); err != nil || len(a.digest) < 16 || len(a.digest) > 64 {
		return a, errBadHash
	}
	return a, nil
}

// VerifyPassword reports whether pw matches a hash made by HashPassword; a malformed hash is an
// error, never a match.
func VerifyPassword(hash, pw string) (bool, error) {
	a, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(pw), a.salt, a.time, a.memory, a.threads, uint32(len(a.digest)))
	return subtle.ConstantTimeCompare(key, a.digest) == 1, nil
}
