// Package arn parses and formats Amazon Resource Names and matches them against the wildcard
// patterns of IAM policies. It is a leaf package (standard library only) so that every layer, and
// users' own programs, can share one definition of what an ARN is and how "*" and "?" match.
package arn

import (
	"errors"
	"strings"
)

// ARN is a parsed Amazon Resource Name: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
// Resource keeps everything after the fifth colon, colons and slashes included.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// Errors returned by Parse. They are sentinel values so that callers can tell the reasons apart
// with errors.Is and word their own, service-specific, messages.
var (
	ErrPrefix   = errors.New("arn: missing \"arn:\" prefix")
	ErrSections = errors.New("arn: not enough sections")
	ErrEmpty    = errors.New("arn: empty partition, service or resource")
)

// Parse splits s into its six sections. Region and account may be empty (IAM and S3 ARNs leave
// them out); partition, service and resource may not.
func Parse(s string) (ARN, error) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return ARN{}, ErrPrefix
	}
	var parts [4]string
	for i := range parts {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ARN{}, ErrSections
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	a := ARN{Partition: parts[0], Service: parts[1], Region: parts[2], Account: parts[3], Resource: rest}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, ErrEmpty
	}
	return a, nil
}

// String formats a as an ARN; Parse(a.String()) == a for every a that Parse returned.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Match reports whether value matches the IAM wildcard pattern: "*" matches any run of
// characters (including none), "?" exactly one character; everything else matches itself,
// case-sensitively. Colons get no special treatment here; see MatchSegments for ARN patterns.
//
// The pattern is split at its stars; the pieces between them are found leftmost-first, which is
// optimal for this pattern language, so matching never backtracks: the cost is at most
// len(value) × the length of the longest piece.
func Match(pattern, value string) bool {
	// The text before the first star is anchored at the start.
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		n, ok := matchPiece(pattern, value)
		return ok && n == len(value)
	}
	n, ok := matchPiece(pattern[:star], value)
	if !ok {
		return false
	}
	value = value[n:]
	pattern = pattern[star+1:]
	// The text after the last star is anchored at the end.
	last := strings.LastIndexByte(pattern, '*')
	tail := pattern[last+1:]
	tn, ok := matchPieceSuffix(tail, value)
	if !ok {
		return false
	}
	value = value[:len(value)-tn]
	if last < 0 {
		return true
	}
	// Every piece in between is found leftmost in what remains.
	mid := pattern[:last]
	for mid != "" {
		piece := mid
		if j := strings.IndexByte(mid, '*'); j >= 0 {
			piece, mid = mid[:j], mid[j+1:]
		} else {
			mid = ""
		}
		if piece == "" {
			continue
		}
		i, n, ok := findPiece(piece, value)
		if !ok {
			return false
		}
		value = value[i+n:]
	}
	return true
}

// matchPiece matches a star-free piece at the start of s and returns the bytes consumed.
func matchPiece(piece, s string) (int, bool) {
	n := 0
	for i := 0; i < len(piece); i++ {
		if n >= len(s) {
			return 0, false
		}
		if piece[i] == '?' {
			w := CharLen(s[n:])
			n += w
			continue
		}
		if piece[i] != s[n] {
			return 0, false
		}
		n++
	}
	return n, true
}

// matchPieceSuffix matches a star-free piece at the end of s and returns the bytes consumed.
func matchPieceSuffix(piece, s string) (int, bool) {
	n := len(s)
	for i := len(piece) - 1; i >= 0; i-- {
		if n == 0 {
			return 0, false
		}
		if piece[i] == '?' {
			w := LastCharLen(s[:n])
			n -= w
			continue
		}
		if piece[i] != s[n-1] {
			return 0, false
		}
		n--
	}
	return len(s) - n, true
}

// findPiece finds the leftmost match of a star-free piece in s: its start and length.
func findPiece(piece, s string) (int, int, bool) {
	if !strings.Contains(piece, "?") {
		i := strings.Index(s, piece)
		return i, len(piece), i >= 0
	}
	for i := 0; i < len(s); {
		if n, ok := matchPiece(piece, s[i:]); ok {
			return i, n, true
		}
		w := CharLen(s[i:])
		i += w
	}
	return 0, 0, false
}

// MatchSegments matches an ARN against an ARN pattern the way IAM matches the Resource element:
// the first five colon-separated sections are matched one by one (a wildcard never spans a colon
// there) and the resource section as a whole. A pattern of a lone "*", or one with fewer than
// six sections, is matched against the whole value.
func MatchSegments(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	pp, prest, pok := split5(pattern)
	if !pok {
		return Match(pattern, value)
	}
	vp, vrest, vok := split5(value)
	if !vok {
		return false
	}
	for i := range pp {
		if !Match(pp[i], vp[i]) {
			return false
		}
	}
	return Match(prest, vrest)
}

func split5(s string) ([5]string, string, bool) {
	var p [5]string
	for i := range p {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return p, "", false
		}
		p[i], s = s[:j], s[j+1:]
	}
	return p, s, true
}
