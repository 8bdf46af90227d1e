// Package totp computes and checks the time-based one-time passwords of virtual MFA devices
// (RFC 6238 with RFC 4226's truncation): HMAC-SHA1 over 30-second time steps, 6 digits, as IAM's
// virtual MFA devices and the authenticator apps that scan them use. It is a leaf.
package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"time"
)

// Period is the length of one time step.
const Period = 30 * time.Second

// Step is the time step t falls in.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// Code is the code of step for seed.
func Code(seed []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, seed)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1_000_000)
}

// Valid reports, in constant time, whether code is the code of step for seed.
func Valid(seed []byte, step int64, code string) bool {
	return subtle.ConstantTimeCompare([]byte(Code(seed, step)), []byte(code)) == 1
}

// FindConsecutive returns the step of code1 when code1 and code2 are the codes of two
// consecutive steps, the first within [from, to], searching the newest first.
func FindConsecutive(seed []byte, code1, code2 string, from, to int64) (int64, bool) {
	for s := to; s >= from; s-- {
		if Valid(seed, s, code1) && Valid(seed, s+1, code2) {
			return s, true
		}
	}
	return 0, false
}
