package iam

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Unique-id prefixes AWS uses, one per entity kind.
const (
	PrefixUser            = "AIDA"
	PrefixRole            = "AROA"
	PrefixGroup           = "AGPA"
	PrefixPolicy          = "ANPA"
	PrefixInstanceProfile = "AIPA"
	PrefixAccessKey       = "AKIA" // long-term access key id
	PrefixTemporaryKey    = "ASIA" // temporary (STS) access key id
)

const (
	uniqueIDLen     = 21
	AccessKeyIDLen  = 20
	SecretKeyLen    = 40
	base32Alphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
	maxAccountValue = 999_999_999_999
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// randomChars returns n characters drawn uniformly from a 32- or 64-letter alphabet (ids;
// secrets are made by appendSecret).
func randomChars(alphabet string, n int) string {
	var small [64]byte // the usual lengths fit: the string is the one allocation
	var buf []byte
	if n <= len(small) {
		buf = small[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := rand.Read(buf); err != nil {
		panic("iam: crypto/rand failed: " + err.Error()) // never fails on supported platforms
	}
	mask := byte(len(alphabet) - 1) // alphabets are powers of two, so masking is unbiased
	for i, b := range buf {
		buf[i] = alphabet[b&mask]
	}
	return string(buf)
}

// NewID returns a unique id: prefix followed by random upper-case base32 characters, 21 in all,
// like AWS's AIDA…/AROA… ids.
func NewID(prefix string) string {
	n := uniqueIDLen - len(prefix)
	if n < 1 {
		n = 1
	}
	return prefix + randomChars(base32Alphabet, n)
}

// NewSecretAccessKey returns a 40-character secret from the alphabet AWS secrets use.
func NewSecretAccessKey() string {
	var raw [secretRandomLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("iam: crypto/rand failed: " + err.Error()) // never fails on supported platforms
	}
	var out [SecretKeyLen]byte
	s := string(appendSecret(out[:0], &raw))
	clear(raw[:])
	clear(out[:])
	return s
}

// secretRandomLen is the random bytes of a secret: its 40 letters of a 64-letter alphabet are
// 240 bits.
const secretRandomLen = SecretKeyLen * 6 / 8

// appendSecret appends the secret that raw's 240 bits make, each three bytes cut into four
// letters.
func appendSecret(dst []byte, raw *[secretRandomLen]byte) []byte {
	for r := raw[:]; len(r) >= 3; r = r[3:] {
		v := uint32(r[0])<<16 | uint32(r[1])<<8 | uint32(r[2])
		dst = append(dst, secretAlphabet[v>>18], secretAlphabet[v>>12&63], secretAlphabet[v>>6&63], secretAlphabet[v&63])
	}
	return dst
}

// NewAccessKeyID returns a 20-character access key id (prefix AKIA or ASIA) that encodes the
// account the way AWS's ids do, so that AccountFromAccessKeyID — and STS GetAccessKeyInfo — need
// no lookup. After the prefix come 16 base32 characters of 10 bytes; bytes 0..5, read as a
// big-endian 48-bit integer, hold the account in bits 7..46. Bit 47 is set, as in the ids AWS has
// issued since 2019; the other bits are random.
func NewAccessKeyID(prefix, account string) (string, error) {
	acct, err := checkKeyArgs(prefix, account)
	if err != nil {
		return "", err
	}
	var raw [10]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("iam: random: %w", err)
	}
	var out [AccessKeyIDLen]byte
	return string(appendKeyID(out[:0], prefix, acct, &raw)), nil
}

// AppendAccessKey appends a new access key id (as NewAccessKeyID makes) and then its secret
// (as NewSecretAccessKey makes) to dst, AccessKeyIDLen+SecretKeyLen bytes in all, from one read
// of crypto/rand. It lets a caller that issues a key make one string of it and what goes with it.
func AppendAccessKey(dst []byte, prefix, account string) ([]byte, error) {
	acct, err := checkKeyArgs(prefix, account)
	if err != nil {
		return dst, err
	}
	var raw [10 + secretRandomLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return dst, fmt.Errorf("iam: random: %w", err)
	}
	dst = appendKeyID(dst, prefix, acct, (*[10]byte)(raw[:10]))
	dst = appendSecret(dst, (*[secretRandomLen]byte)(raw[10:]))
	clear(raw[:])
	return dst, nil
}

func checkKeyArgs(prefix, account string) (uint64, error) {
	if len(prefix) != 4 {
		return 0, fmt.Errorf("iam: access key prefix %q is not 4 characters", prefix)
	}
	return parseAccount(account)
}

// appendKeyID appends the id of acct made of the random bytes raw (which it overwrites).
func appendKeyID(dst []byte, prefix string, acct uint64, raw *[10]byte) []byte {
	low7 := uint64(raw[5] & 0x7f)
	v := 1<<47 | acct<<7 | low7
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], v)
	copy(raw[:6], be[2:])
	dst = append(dst, prefix...)
	var enc [16]byte
	b32.Encode(enc[:], raw[:])
	return append(dst, enc[:]...)
}

// AccountFromAccessKeyID decodes the account id from an access key id made by AWS or by
// NewAccessKeyID.
func AccountFromAccessKeyID(id string) (string, error) {
	if len(id) != AccessKeyIDLen {
		return "", fmt.Errorf("iam: access key id must be %d characters", AccessKeyIDLen)
	}
	raw, err := b32.DecodeString(id[4:])
	if err != nil || len(raw) != 10 {
		return "", errors.New("iam: access key id is not base32 after its prefix")
	}
	var be [8]byte
	copy(be[2:], raw[:6])
	acct := (binary.BigEndian.Uint64(be[:]) & 0x7fffffffff80) >> 7
	if acct > maxAccountValue {
		return "", errors.New("iam: access key id encodes no valid account")
	}
	return fmt.Sprintf("%012d", acct), nil
}

func parseAccount(account string) (uint64, error) {
	if !IsAccountID(account) {
		return 0, fmt.Errorf("iam: account id %q is not 12 digits", account)
	}
	return strconv.ParseUint(account, 10, 64)
}

// IsAccountID reports whether s is a 12-digit account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
