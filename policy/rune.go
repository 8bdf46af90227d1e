package policy

import "unicode/utf8"

// decodeRune and decodeLastRune treat an invalid byte as a one-byte character, so that "?"
// consumes exactly one unit of any input.
func decodeRune(s string) (rune, int) {
	r, w := utf8.DecodeRuneInString(s)
	if w == 0 {
		return utf8.RuneError, 1
	}
	return r, w
}

func decodeLastRune(s string) (rune, int) {
	r, w := utf8.DecodeLastRuneInString(s)
	if w == 0 {
		return utf8.RuneError, 1
	}
	return r, w
}
