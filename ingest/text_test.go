package ingest

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigilsre/vigil/tsdb"
)

const testNow = 1_700_000_000_000

func TestParseText(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"timestamp given", "up 1 1000\n", `{__name__="up"} 1000:1` + "\n"},
		{"timestamp missing gets now", "up 1\n", `{__name__="up"} 1700000000000:1` + "\n"},
		{"labels sorted", `cpu{mode="idle",cpu="0"} 3.5 10` + "\n", `{__name__="cpu", cpu="0", mode="idle"} 10:3.5` + "\n"},
		{"empty braces", "up{} 1 1\n", `{__name__="up"} 1:1` + "\n"},
		{"trailing comma", `up{a="1",} 1 1` + "\n", `{__name__="up", a="1"} 1:1` + "\n"},
		{"blanks everywhere", " \t up { a = \"1\" , b=\"2\" }\t 1 \t 1 \t\n", `{__name__="up", a="1", b="2"} 1:1` + "\n"},
		{"no blank between brace and value", `up{a="1"}1 1` + "\n", `{__name__="up", a="1"} 1:1` + "\n"},
		{"empty label value dropped", `up{a="",b="1"} 1 1` + "\n", `{__name__="up", b="1"} 1:1` + "\n"},
		{"escapes", `m{a="q\"b\\s\nn",c="\\\\"} 1 1` + "\n", `{__name__="m", a="q\"b\\s\nn", c="\\\\"} 1:1` + "\n"},
		{"escape after plain value text", `m{a="x",b="y\"z"} 1 1` + "\n", `{__name__="m", a="x", b="y\"z"} 1:1` + "\n"},
		{"UTF-8 label value", `m{a="héllo 世界"} 1 1` + "\n", `{__name__="m", a="héllo 世界"} 1:1` + "\n"},
		{"special values", "a NaN 1\nb +Inf 1\nc -Inf 1\nd Inf 1\ne -inf 1\nf nan 1\n",
			"{__name__=\"a\"} 1:NaN(0x7ff8000000000001)\n{__name__=\"b\"} 1:+Inf\n{__name__=\"c\"} 1:-Inf\n" +
				"{__name__=\"d\"} 1:+Inf\n{__name__=\"e\"} 1:-Inf\n{__name__=\"f\"} 1:NaN(0x7ff8000000000001)\n"},
		{"float syntax", "a 1e3 1\nb -0.5 1\nc .25 1\nd 1E-2 1\ne 0 1\n",
			"{__name__=\"a\"} 1:1000\n{__name__=\"b\"} 1:-0.5\n{__name__=\"c\"} 1:0.25\n{__name__=\"d\"} 1:0.01\n{__name__=\"e\"} 1:0\n"},
		{"signed and zero-padded timestamps", "a 1 -5\nb 1 +5\nc 1 007\n",
			"{__name__=\"a\"} -5:1\n{__name__=\"b\"} 5:1\n{__name__=\"c\"} 7:1\n"},
		{"comments and blank lines skipped", "# HELP up Whether it is up.\n# TYPE up gauge\n\n   \n# any comment\n#nospace\nup 1 1\n",
			`{__name__="up"} 1:1` + "\n"},
		{"adjacent lines of a series share it", "up 1 1\nup 2 2\nup 3 3\n", `{__name__="up"} 1:1 2:2 3:3` + "\n"},
		{"non-adjacent lines of a series share it", "a 1 1\nb 1 1\na{} 2 2\nb 2 2\n",
			"{__name__=\"a\"} 1:1 2:2\n{__name__=\"b\"} 1:1 2:2\n"},
		{"same labels in another order share the series", "m{a=\"1\",b=\"2\"} 1 1\nm{b=\"2\",a=\"1\"} 2 2\n",
			`{__name__="m", a="1", b="2"} 1:1 2:2` + "\n"},
		{"no newline at the end", "up 1 1", `{__name__="up"} 1:1` + "\n"},
		{"colon in metric name", "job:up:sum 1 1\n", `{__name__="job:up:sum"} 1:1` + "\n"},
		{"empty body", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b tsdb.Batch
			if err := ParseText(&b, []byte(tc.body), testNow); err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			if got := batchString(&b); got != tc.want {
				t.Errorf("batch:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"invalid label name", "ok 1\nok 2\ncpu{0x=\"1\"} 1\n", `line 3: invalid label name "0x" in series cpu{0x="1"}`},
		{"invalid metric name", "1cpu 1\n", `line 1: invalid metric name "1cpu" in series 1cpu`},
		{"dotted metric name", "a.b 1\n", `line 1: invalid metric name "a.b" in series a.b`},
		{"duplicate label name", `m{a="1",a="2"} 1` + "\n", `line 1: duplicate label name "a" in series m{a="1",a="2"}`},
		{"__name__ among the labels", `m{__name__="x"} 1` + "\n", `line 1: duplicate label name "__name__" in series m{__name__="x"}`},
		{"invalid UTF-8", "m{a=\"\xff\"} 1\n", `line 1: invalid UTF-8 in the value of label a: "\xff" in series m{a="\xff"}`},
		{"invalid UTF-8 among valid text", "e2e_bad_text_utf8{job=\"é\xc3\x28\\\"\"} 1\n",
			`line 1: invalid UTF-8 in the value of label job: "é\xc3(\"" in series e2e_bad_text_utf8{job="é\xc3(\""}`},
		{"invalid UTF-8 in a series with a bad value", "m{a=\"\xff\"} x\n", `line 1: invalid value "x" for series m{a="\xff"}`},
		{"invalid UTF-8 after a label value", "m{a=\"1\"\xfe} 1\n", `line 1: expected "," or "}" after a label value, got '\xfe' in "m{a=\"1\"\xfe} 1"`},
		{"UTF-8 after a label value", "m{a=\"1\"é} 1\n", `line 1: expected "," or "}" after a label value, got 'é' in "m{a=\"1\"é} 1"`},
		{"invalid UTF-8 escaped", "m{a=\"\\\xff\"} 1\n", `line 1: label "a": invalid escape sequence \ followed by '\xff' (want \\, \" or \n) in "m{a=\"\\\xff\"} 1"`},
		{"missing value", "up\n", `line 1: missing value for series up`},
		{"bad value", "up one\n", `line 1: invalid value "one" for series up`},
		{"hex value", "up 0x1p3\n", `line 1: invalid value "0x1p3" for series up`},
		{"underscore value", "up 1_000\n", `line 1: invalid value "1_000" for series up`},
		{"value out of range", "up 1e400\n", `line 1: invalid value "1e400" for series up`},
		{"float timestamp", "up 1 1.5\n", `line 1: invalid timestamp "1.5" (want integer milliseconds) for series up`},
		{"text after timestamp", "up 1 2 3\n", `line 1: unexpected "3" after the timestamp for series up`},
		{"CRLF", "up 1\r\n", `line 1: invalid value "1\r" for series up`},
		{"missing comma", `m{a="1" b="2"} 1` + "\n", `line 1: expected "," or "}" after a label value, got 'b' in "m{a=\"1\" b=\"2\"} 1"`},
		{"leading comma", `m{,a="1"} 1` + "\n", `line 1: expected a label name in "m{,a=\"1\"} 1"`},
		{"unquoted value", `m{a=1} 1` + "\n", `line 1: expected a quoted value for label "a" in "m{a=1} 1"`},
		{"missing equals", `m{a "1"} 1` + "\n", `line 1: expected "=" after label name "a" in "m{a \"1\"} 1"`},
		{"unterminated value", `m{a="1} 1` + "\n", `line 1: label "a": unterminated label value in "m{a=\"1} 1"`},
		{"raw line break in value", "m{a=\"x\ny\"} 1\n", `line 1: label "a": unterminated label value in "m{a=\"x" (and 1 more problems)`},
		{"unknown escape", `m{a="\t"} 1` + "\n", `line 1: label "a": invalid escape sequence \ followed by 't' (want \\, \" or \n) in "m{a=\"\\t\"} 1"`},
		{"unclosed braces", `m{a="1"` + "\n", `line 1: missing "}" at the end of the labels in "m{a=\"1\""`},
		{"no metric name", `{a="1"} 1` + "\n", `line 1: expected a metric name at the start of the line in "{a=\"1\"} 1"`},
		{"unknown type", "# TYPE up bogus\n", `line 1: unknown metric type "bogus" in # TYPE (want counter, gauge, histogram, summary or untyped)`},
		{"type without name", "# TYPE  \t\n# TYPE\n# TYPE x\n", `line 3: unknown metric type "" in # TYPE (want counter, gauge, histogram, summary or untyped)`},
		{"help with bad name", "# HELP 1x text\n", `line 1: invalid metric name "1x" in # HELP`},
		{"help not UTF-8", "# HELP x \xff\n", `line 1: invalid UTF-8 in # HELP text "\xff"`},
		{"several bad lines", "a 1\nb x\nc 1\nd y\n", `line 2: invalid value "x" for series b (and 1 more problems)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b tsdb.Batch
			err := ParseText(&b, []byte(tc.body), testNow)
			var invalid *InvalidError
			var line *LineError
			if !errors.As(err, &invalid) || !errors.As(err, &line) {
				t.Fatalf("ParseText error %v (%T), want an *InvalidError holding a *LineError", err, err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n %s\nwant\n %s", err, tc.want)
			}
			if !utf8.ValidString(err.Error()) {
				t.Errorf("error %q is not valid UTF-8", err)
			}
		})
	}
}

func TestParseTextCountsSamplesOfBadRequests(t *testing.T) {
	body := "# TYPE a gauge\na 1\nb x\nc 1\n# TYPE d bogus\nd 1\n"
	var b tsdb.Batch
	err := ParseText(&b, []byte(body), testNow)
	var invalid *InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("error %v, want *InvalidError", err)
	}
	if invalid.Problems != 2 || invalid.Samples != 4 {
		t.Errorf("Problems %d, Samples %d; want 2 and 4", invalid.Problems, invalid.Samples)
	}
}

func TestParseTextLongLineIsTruncatedInErrors(t *testing.T) {
	body := `m{a="` + strings.Repeat("x", 500) + `" 1`
	err := ParseText(new(tsdb.Batch), []byte(body), testNow)
	if err == nil || len(err.Error()) > 250 {
		t.Fatalf("error %q: want one shorter than 250 bytes", err)
	}
}
