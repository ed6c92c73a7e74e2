package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// schema maps the keys of one YAML mapping to the decoders of their values.
type schema map[string]decodeFunc

// decodeFunc decodes the value node n of the key at the dotted path into the
// destination it was made for, recording problems in its decoder.
type decodeFunc func(n *yaml.Node, path string)

// decoder walks a YAML node tree against a schema. It keeps going after a
// problem so that one run reports every problem of a file.
type decoder struct {
	file   string
	getenv func(string) string // reads environment variables named in the file
	errs   []error
}

// errorf records a problem of the key at path, at n's line.
func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errorAt(n.Line, path, format, args...)
}

// errorAt records a problem of the key at path, at a line.
func (d *decoder) errorAt(line int, path, format string, args ...any) {
	d.errs = append(d.errs, &ConfigError{File: d.file, Line: line, Key: path, Msg: fmt.Sprintf(format, args...)})
}

// mapping decodes a mapping whose keys must all be in s. A key with an empty
// value keeps its default.
func (d *decoder) mapping(s schema) decodeFunc {
	return func(n *yaml.Node, path string) {
		if n.Kind != yaml.MappingNode {
			d.errorf(n, path, "expected a mapping, got %s", describe(n))
			return
		}
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.field(s, n.Content[i], resolve(n.Content[i+1]), path, seen)
		}
	}
}

// field decodes one key k with value v of a mapping at parent.
func (d *decoder) field(s schema, k, v *yaml.Node, parent string, seen map[string]int) {
	path := k.Value
	if parent != "" {
		path = parent + "." + k.Value
	}
	decode, known := s[k.Value]
	switch {
	case !known:
		d.errorf(k, path, "unknown key (known keys: %s)", s.keys())
	case seen[k.Value] != 0:
		d.errorf(k, path, "duplicate key (first set at line %d)", seen[k.Value])
	case isNull(v):
	default:
		decode(v, path)
	}
	if seen[k.Value] == 0 {
		seen[k.Value] = k.Line
	}
}

// keys returns the keys of s, sorted and comma-separated.
func (s schema) keys() string {
	names := make([]string, 0, len(s))
	for k := range s {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// scalar returns n's value when n is a scalar, and records a problem
// naming what was wanted otherwise.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind == yaml.ScalarNode {
		return n.Value, true
	}
	d.errorf(n, path, "expected %s, got %s", want, describe(n))
	return "", false
}

// duration decodes a Prometheus duration such as 15d or 1h30m; 0 is allowed.
func (d *decoder) duration(dst *time.Duration) decodeFunc {
	return d.durationAtLeast(dst, 0)
}

// positiveDuration decodes a Prometheus duration greater than zero.
func (d *decoder) positiveDuration(dst *time.Duration) decodeFunc {
	return d.durationAtLeast(dst, 1)
}

// durationAtLeast decodes a Prometheus duration of at least minimum.
func (d *decoder) durationAtLeast(dst *time.Duration, minimum time.Duration) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a duration")
		if !ok {
			return
		}
		v, err := model.ParseDuration(s)
		switch {
		case err != nil:
			d.errorf(n, path, "invalid duration %q", s)
		case time.Duration(v) < minimum && minimum <= 1:
			d.errorf(n, path, "must be greater than 0")
		case time.Duration(v) < minimum:
			d.errorf(n, path, "must be at least %s, got %s", model.Duration(minimum), s)
		default:
			*dst = time.Duration(v)
		}
	}
}

// walSync decodes "always" (stored as 0) or a positive fsync interval.
func (d *decoder) walSync(dst *time.Duration) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, `"always" or a duration`)
		if !ok {
			return
		}
		if s == "always" {
			*dst = 0
			return
		}
		v, err := model.ParseDuration(s)
		if err != nil || v == 0 {
			d.errorf(n, path, `invalid value %q: want "always" or an fsync interval such as 1s`, s)
			return
		}
		*dst = time.Duration(v)
	}
}

// listen decodes a listen address, HOST:PORT.
func (d *decoder) listen(dst *string) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "an address")
		if !ok {
			return
		}
		if err := checkListen(s); err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		*dst = s
	}
}

// checkListen reports whether addr is a HOST:PORT a server can listen on.
// The host may be empty (all interfaces); the port is a number, 0 for any.
func checkListen(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf(`invalid address %q: want HOST:PORT, such as ":9096" or "127.0.0.1:9096"`, addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("invalid address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	return nil
}

// nonEmpty decodes a string that must not be empty.
func (d *decoder) nonEmpty(dst *string) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a string")
		switch {
		case !ok:
		case s == "":
			d.errorf(n, path, "must not be empty")
		default:
			*dst = s
		}
	}
}

// positiveInt64 decodes an integer greater than zero.
func (d *decoder) positiveInt64(dst *int64) decodeFunc {
	return func(n *yaml.Node, path string) {
		var v int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
			d.errorf(n, path, "expected an integer, got %s", describe(n))
			return
		}
		if v <= 0 {
			d.errorf(n, path, "must be greater than 0")
			return
		}
		*dst = v
	}
}

// positiveInt decodes an integer greater than zero.
func (d *decoder) positiveInt(dst *int) decodeFunc {
	var v int64
	decode := d.positiveInt64(&v)
	return func(n *yaml.Node, path string) {
		v = 0
		decode(n, path)
		if v > 0 {
			*dst = int(v)
		}
	}
}

// str decodes any string, the empty one included; a YAML null is not one.
func (d *decoder) str(dst *string) decodeFunc {
	return func(n *yaml.Node, path string) {
		if isNull(n) {
			d.errorf(n, path, `expected a string, got null (write "" for the empty string)`)
			return
		}
		if s, ok := d.scalar(n, path, "a string"); ok {
			*dst = s
		}
	}
}

// positiveFraction decodes a number greater than 0 and at most 1.
func (d *decoder) positiveFraction(dst *float64) decodeFunc {
	return func(n *yaml.Node, path string) {
		var v float64
		tag := n.ShortTag()
		if n.Kind != yaml.ScalarNode || (tag != "!!float" && tag != "!!int") || n.Decode(&v) != nil {
			d.errorf(n, path, "expected a number greater than 0 and at most 1, got %s", describe(n))
			return
		}
		if !(v > 0 && v <= 1) { // NaN too
			d.errorf(n, path, "must be greater than 0 and at most 1, got %s", n.Value)
			return
		}
		*dst = v
	}
}

// boolean decodes true or false.
func (d *decoder) boolean(dst *bool) decodeFunc {
	return func(n *yaml.Node, path string) {
		var v bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
			d.errorf(n, path, "expected true or false, got %s", describe(n))
			return
		}
		*dst = v
	}
}

// logLevels are the names log.level accepts.
var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug,
	"info":  slog.LevelInfo,
	"warn":  slog.LevelWarn,
	"error": slog.LevelError,
}

// logLevel decodes one of debug, info, warn, error.
func (d *decoder) logLevel(dst *slog.Level) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a log level")
		if !ok {
			return
		}
		level, known := logLevels[s]
		if !known {
			d.errorf(n, path, "invalid level %q: want debug, info, warn or error", s)
			return
		}
		*dst = level
	}
}

// oneOf decodes a string that must be one of allowed.
func (d *decoder) oneOf(dst *string, allowed ...string) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a string")
		if !ok {
			return
		}
		if !slices.Contains(allowed, s) {
			d.errorf(n, path, "invalid value %q: want %s", s, strings.Join(allowed, " or "))
			return
		}
		*dst = s
	}
}

// list decodes a sequence, decoding its i-th element with item(i) under the
// path "path[i]". size is called first with the number of elements, so the
// destination can be allocated once.
func (d *decoder) list(size func(n int), item func(i int) decodeFunc) decodeFunc {
	return func(n *yaml.Node, path string) {
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, path, "expected a list, got %s", describe(n))
			return
		}
		size(len(n.Content))
		for i, e := range n.Content {
			item(i)(resolve(e), fmt.Sprintf("%s[%d]", path, i))
		}
	}
}

// labelMap decodes a mapping of label names to strings. check, when not
// nil, vets each value and returns why it is invalid.
func (d *decoder) labelMap(dst *map[string]string, check func(string) error) decodeFunc {
	return func(n *yaml.Node, path string) {
		if n.Kind != yaml.MappingNode {
			d.errorf(n, path, "expected a mapping of label names to values, got %s", describe(n))
			return
		}
		m := make(map[string]string, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.labelValue(m, n.Content[i], resolve(n.Content[i+1]), path, check)
		}
		*dst = m
	}
}

// labelValue decodes one entry k: v of a labelMap into m.
func (d *decoder) labelValue(m map[string]string, k, v *yaml.Node, parent string, check func(string) error) {
	path := parent + "." + k.Value
	if _, dup := m[k.Value]; dup {
		d.errorf(k, path, "duplicate label name")
		return
	}
	s, ok := d.scalar(v, path, "a string")
	if !ok {
		return
	}
	if check != nil {
		if err := check(s); err != nil {
			d.errorf(v, path, "%v", err)
			return
		}
	}
	m[k.Value] = s
}

// httpURL decodes an absolute http:// or https:// URL.
func (d *decoder) httpURL(dst *string) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a URL")
		if !ok {
			return
		}
		if err := checkHTTPURL(s); err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		*dst = s
	}
}

// checkHTTPURL reports whether s is an absolute http or https URL.
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid URL %q: want an absolute http:// or https:// URL", s)
	}
	return nil
}

// line wraps decode to record the line of the value it decodes, for checks
// that need a position after the whole section is decoded.
func line(dst *int, decode decodeFunc) decodeFunc {
	return func(n *yaml.Node, path string) {
		*dst = n.Line
		decode(n, path)
	}
}

// resolve follows an alias (*name) to the node it stands for.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// isNull reports whether n is an empty value ("key:" or "key: null").
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names what n is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return strconv.Quote(n.Value)
	}
}
