package ingest

import "testing"

func TestPrintable(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{`up{job="a\"b"}`, `up{job="a\"b"}`},           // valid text is left alone
		{"héllo \uFFFD", "héllo \uFFFD"},               // an encoded U+FFFD is valid
		{"a\xffb", `a\xffb`},                           // a stray byte
		{"\xc3\x28", `\xc3(`},                          // a truncated sequence
		{"\xed\xa0\x80", `\xed\xa0\x80`},               // a surrogate
		{"x\xf0\x9f\x98", `x\xf0\x9f\x98`},             // cut at the end
		{"ok \xf0\x9f\x98\x80", "ok \xf0\x9f\x98\x80"}, // 😀
	}
	for _, tc := range cases {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
