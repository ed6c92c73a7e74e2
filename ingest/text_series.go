package ingest

import (
	"errors"
	"fmt"

	"github.com/prometheus/prometheus/model/labels"
)

// metricNameLabel is labels.MetricName as bytes. It is never written to.
var metricNameLabel = []byte(labels.MetricName)

// seriesParser parses series texts. It keeps the labels of the last one,
// views into it or into scratch, until the next parse.
type seriesParser struct {
	labels  []wireLabel // the labels in the order they came
	scratch []byte      // unescaped label values
}

// parse parses the series at the start of a sample line, `name` or
// `name{label="value",...}`, into p.labels. It returns the series text and
// the rest of the line. A series text parsed again alone gives the same
// labels.
//
// Names are read up to the next delimiter and checked later by the
// seriesBuilder, so that a bad name gets a message that names it rather than
// a syntax error.
func (p *seriesParser) parse(line []byte) (raw, rest []byte, err error) {
	i := scanName(line, metricNameEnd)
	if i == 0 {
		return nil, nil, errors.New("expected a metric name at the start of the line")
	}
	p.labels = append(p.labels[:0], wireLabel{name: metricNameLabel, value: line[:i]})
	p.scratch = p.scratch[:0]
	j := skipBlank(line, i)
	if j == len(line) || line[j] != '{' {
		return line[:i], line[i:], nil
	}
	end, err := p.parseLabels(line, j+1)
	if err != nil {
		return nil, nil, err
	}
	return line[:end], line[end:], nil
}

// parseLabels parses `label="value",...}` from line[i:] and returns the
// index after the closing brace. A trailing comma is allowed, as are blanks
// around every token; a comma between labels is required.
func (p *seriesParser) parseLabels(line []byte, i int) (int, error) {
	for {
		i = skipBlank(line, i)
		if i < len(line) && line[i] == '}' {
			return i + 1, nil
		}
		next, err := p.parseLabel(line, i)
		if err != nil {
			return 0, err
		}
		if i = skipBlank(line, next); i >= len(line) {
			return 0, errors.New(`missing "}" at the end of the labels`)
		}
		switch line[i] {
		case ',':
			i++
		case '}':
			return i + 1, nil
		default:
			return 0, fmt.Errorf(`expected "," or "}" after a label value, got %s`, quoteRuneAt(line[i:]))
		}
	}
}

// parseLabel parses one `name="value"` at line[i:] into p.labels and
// returns the index after the closing quote.
func (p *seriesParser) parseLabel(line []byte, i int) (int, error) {
	n := scanName(line[i:], labelNameEnd)
	if n == 0 {
		return 0, errors.New("expected a label name")
	}
	name := line[i : i+n]
	i = skipBlank(line, i+n)
	if i >= len(line) || line[i] != '=' {
		return 0, fmt.Errorf(`expected "=" after label name %q`, name)
	}
	i = skipBlank(line, i+1)
	if i >= len(line) || line[i] != '"' {
		return 0, fmt.Errorf(`expected a quoted value for label %q`, name)
	}
	value, next, err := p.parseQuoted(line, i+1)
	if err != nil {
		return 0, fmt.Errorf("label %q: %w", name, err)
	}
	p.labels = append(p.labels, wireLabel{name: name, value: value})
	return next, nil
}

// parseQuoted reads a label value from line[i:], just after its opening
// quote, up to the closing quote, and returns the value and the index after
// that quote. The value is a view into line unless it holds escapes.
func (p *seriesParser) parseQuoted(line []byte, i int) ([]byte, int, error) {
	for j := i; j < len(line); j++ {
		switch line[j] {
		case '"':
			return line[i:j], j + 1, nil
		case '\\':
			return p.unescape(line, i, j)
		}
	}
	return nil, 0, errors.New("unterminated label value")
}

// unescape is parseQuoted for a value with escapes, the first at line[j]:
// \\, \" and \n are the only escapes of the format. The value is written to
// p.scratch, which is only appended to while the line is parsed, so earlier
// values stay intact.
func (p *seriesParser) unescape(line []byte, i, j int) ([]byte, int, error) {
	start := len(p.scratch)
	buf := append(p.scratch, line[i:j]...)
	for ; j < len(line); j++ {
		c := line[j]
		if c == '"' {
			p.scratch = buf
			return buf[start:], j + 1, nil
		}
		if c == '\\' {
			if j++; j >= len(line) {
				break
			}
			if c = unescapeByte(line[j]); c == 0 {
				return nil, 0, fmt.Errorf(`invalid escape sequence \ followed by %s (want \\, \" or \n)`, quoteRuneAt(line[j:]))
			}
		}
		buf = append(buf, c)
	}
	return nil, 0, errors.New("unterminated label value")
}

// unescapeByte returns the byte that \c stands for, or 0 when \c is not an
// escape of the format.
func unescapeByte(c byte) byte {
	switch c {
	case '\\', '"':
		return c
	case 'n':
		return '\n'
	}
	return 0
}
