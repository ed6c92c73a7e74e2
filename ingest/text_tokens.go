package ingest

import (
	"strings"
	"unsafe"
)

// The tokens of the text format: blanks (spaces and tabs) separate them.

// The bytes that end a metric name and a label name. Names are read up to
// them and checked afterwards.
var (
	metricNameEnd = delimiters("{ \t")
	labelNameEnd  = delimiters("=,} \t")
)

func delimiters(s string) *[256]bool {
	var t [256]bool
	for i := range len(s) {
		t[s[i]] = true
	}
	return &t
}

// bytesView returns a string sharing b's memory, for strconv, which keeps
// no reference to its input (its errors copy it).
func bytesView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// isBlank reports whether c separates tokens: a space or a tab.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// trimBlankLeft removes leading spaces and tabs.
func trimBlankLeft(b []byte) []byte {
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	return b
}

// trimBlank removes leading and trailing spaces and tabs.
func trimBlank(b []byte) []byte {
	b = trimBlankLeft(b)
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// cutToken splits b at its first space or tab.
func cutToken(b []byte) (tok, rest []byte) {
	for i, c := range b {
		if isBlank(c) {
			return b[:i], b[i:]
		}
	}
	return b, nil
}

// truncate shortens b for an error message.
func truncate(b []byte) string {
	const max = 120
	if len(b) <= max {
		return string(b)
	}
	return strings.ToValidUTF8(string(b[:max]), "") + "…"
}

// scanName returns the length of the name at the start of b: everything up
// to the first delimiter in end.
func scanName(b []byte, end *[256]bool) int {
	for i, c := range b {
		if end[c] {
			return i
		}
	}
	return len(b)
}

// skipBlank returns the index of the first byte at or after i that is not a
// space or a tab.
func skipBlank(b []byte, i int) int {
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	return i
}
