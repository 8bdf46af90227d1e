package arn

import "unicode/utf8"

// CharLen is the length in bytes of the character at the start of s that the wildcard "?"
// consumes: one UTF-8 character, or one byte of invalid input, so that "?" consumes exactly one
// unit of any input, valid UTF-8 or not. Package policy's compiled matcher uses it too, so that
// both match alike.
func CharLen(s string) int {
	_, w := utf8.DecodeRuneInString(s)
	return max(w, 1)
}

// LastCharLen is CharLen for the character at the end of s.
func LastCharLen(s string) int {
	_, w := utf8.DecodeLastRuneInString(s)
	return max(w, 1)
}
