package ingest

import (
	"fmt"
	"unicode/utf8"
)

// parseComment checks a comment line (after its '#'). Comments are skipped,
// but like Prometheus' parsers Vigil rejects a malformed # HELP or # TYPE.
func parseComment(c []byte) error {
	if len(c) == 0 || !isBlank(c[0]) {
		return nil
	}
	keyword, rest := cutToken(trimBlankLeft(c))
	if len(rest) == 0 || (string(keyword) != "HELP" && string(keyword) != "TYPE") {
		return nil
	}
	name, text := cutToken(trimBlankLeft(rest))
	if !validMetricName(name) {
		return fmt.Errorf("invalid metric name %q in # %s", name, keyword)
	}
	text = trimBlankLeft(text)
	if string(keyword) == "HELP" {
		return checkHelp(text)
	}
	return checkType(text)
}

func checkHelp(text []byte) error {
	if !utf8.Valid(text) {
		return fmt.Errorf("invalid UTF-8 in # HELP text %q", truncate(text))
	}
	return nil
}

func checkType(text []byte) error {
	switch string(trimBlank(text)) {
	case "counter", "gauge", "histogram", "summary", "untyped":
		return nil
	}
	return fmt.Errorf("unknown metric type %q in # TYPE (want counter, gauge, histogram, summary or untyped)", text)
}
