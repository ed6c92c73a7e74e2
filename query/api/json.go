package api

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// This file encodes query results byte for byte as Prometheus does
// (web/api/v1/json_codec.go with util/jsonutil, through jsoniter). The
// MarshalJSON methods of promql.Sample and promql.Series do not: they write
// timestamps by float division (1435781451.78, not 1435781451.780), values
// always in 'f' format (0.0000001, not 1e-07) and escape <, > and & in
// labels. Prometheus itself uses the MarshalJSON methods of promql.Scalar and
// promql.String, so this file does too.

// hexDigits are the digits of \u00XX escapes.
const hexDigits = "0123456789abcdef"

// queryData is the data of a query response.
type queryData struct{ value parser.Value }

// appendJSON appends {"resultType":…,"result":…}.
func (d queryData) appendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"resultType":`...)
	dst = appendString(dst, string(d.value.Type()))
	dst = append(dst, `,"result":`...)
	dst, err := appendValue(dst, d.value)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// labelSets is the data of a series response.
type labelSets []labels.Labels

// appendJSON appends the label sets as an array of objects.
func (s labelSets) appendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '[')
	for i, ls := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendLabels(dst, ls)
	}
	return append(dst, ']'), nil
}

// appendValue appends a query result value.
func appendValue(dst []byte, v parser.Value) ([]byte, error) {
	switch v := v.(type) {
	case promql.Vector:
		return appendVector(dst, v), nil
	case promql.Matrix:
		return appendMatrix(dst, v), nil
	case promql.Scalar, promql.String:
		b, err := v.(interface{ MarshalJSON() ([]byte, error) }).MarshalJSON()
		return append(dst, b...), err
	}
	return nil, fmt.Errorf("encode result: unknown value type %T", v)
}

// appendVector appends [sample,…].
func appendVector(dst []byte, v promql.Vector) []byte {
	dst = append(dst, '[')
	for i, s := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendSample(dst, s)
	}
	return append(dst, ']')
}

// appendMatrix appends [series,…].
func appendMatrix(dst []byte, m promql.Matrix) []byte {
	dst = append(dst, '[')
	for i, s := range m {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendSeries(dst, s)
	}
	return append(dst, ']')
}

// appendSample appends {"metric":{…},"value":[t,"v"]}, or "histogram" in
// place of "value" for a histogram sample.
func appendSample(dst []byte, s promql.Sample) []byte {
	dst = append(dst, `{"metric":`...)
	dst = appendLabels(dst, s.Metric)
	if s.H == nil {
		dst = append(dst, `,"value":`...)
		dst = appendFPoint(dst, s.T, s.F)
	} else {
		dst = append(dst, `,"histogram":`...)
		dst = appendHPoint(dst, s.T, s.H)
	}
	return append(dst, '}')
}

// appendSeries appends {"metric":{…},"values":[…],"histograms":[…]}, each
// list omitted when empty.
func appendSeries(dst []byte, s promql.Series) []byte {
	dst = append(dst, `{"metric":`...)
	dst = appendLabels(dst, s.Metric)
	for i, p := range s.Floats {
		dst = append(dst, ',')
		if i == 0 {
			dst = append(dst, `"values":[`...)
		}
		dst = appendFPoint(dst, p.T, p.F)
	}
	if len(s.Floats) > 0 {
		dst = append(dst, ']')
	}
	for i, p := range s.Histograms {
		dst = append(dst, ',')
		if i == 0 {
			dst = append(dst, `"histograms":[`...)
		}
		dst = appendHPoint(dst, p.T, p.H)
	}
	if len(s.Histograms) > 0 {
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendFPoint appends [t,"v"].
func appendFPoint(dst []byte, t int64, v float64) []byte {
	dst = append(dst, '[')
	dst = appendTimestamp(dst, t)
	dst = append(dst, ',')
	dst = appendFloat(dst, v)
	return append(dst, ']')
}

// appendHPoint appends [t,{histogram}].
func appendHPoint(dst []byte, t int64, h *histogram.FloatHistogram) []byte {
	dst = append(dst, '[')
	dst = appendTimestamp(dst, t)
	dst = append(dst, ',')
	dst = appendHistogram(dst, h)
	return append(dst, ']')
}

// appendLabels appends the labels as an object in label order. Strings are
// escaped as jsoniter's Stream.WriteString does (no HTML escaping).
func appendLabels(dst []byte, ls labels.Labels) []byte {
	dst = append(dst, '{')
	first := true
	ls.Range(func(l labels.Label) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendRawString(dst, l.Name)
		dst = append(dst, ':')
		dst = appendRawString(dst, l.Value)
	})
	return append(dst, '}')
}

// appendTimestamp appends the millisecond timestamp t as seconds with up to
// three decimals, trailing zeros kept: 1435781451781 → 1435781451.781,
// 1500 → 1.500, 2000 → 2.
func appendTimestamp(dst []byte, t int64) []byte {
	u := uint64(t)
	if t < 0 {
		dst = append(dst, '-')
		u = -u
	}
	dst = strconv.AppendUint(dst, u/1000, 10)
	frac := u % 1000
	if frac == 0 {
		return dst
	}
	dst = append(dst, '.')
	if frac < 100 {
		dst = append(dst, '0')
	}
	if frac < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendUint(dst, frac, 10)
}

// appendFloat appends v as a quoted string: shortest 'f' format, 'e' format
// below 1e-6 or from 1e21 in magnitude, "NaN", "+Inf", "-Inf".
func appendFloat(dst []byte, v float64) []byte {
	format := byte('f')
	if abs := math.Abs(v); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = append(dst, '"')
	dst = strconv.AppendFloat(dst, v, format, -1, 64)
	return append(dst, '"')
}

// appendHistogram appends {"count":"…","sum":"…","buckets":[[b,"lo","hi","n"],…]},
// skipping empty buckets; b encodes which bounds are inclusive (0: upper
// only, 1: lower only, 2: neither, 3: both).
func appendHistogram(dst []byte, h *histogram.FloatHistogram) []byte {
	dst = append(dst, `{"count":`...)
	dst = appendFloat(dst, h.Count)
	dst = append(dst, `,"sum":`...)
	dst = appendFloat(dst, h.Sum)
	found := false
	for it := h.AllBucketIterator(); it.Next(); {
		b := it.At()
		if b.Count == 0 {
			continue
		}
		if !found {
			dst = append(dst, `,"buckets":[`...)
		} else {
			dst = append(dst, ',')
		}
		found = true
		dst = appendBucket(dst, b)
	}
	if found {
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

// appendBucket appends one histogram bucket as [boundaries,"lo","hi","n"].
func appendBucket(dst []byte, b histogram.Bucket[float64]) []byte {
	boundaries := 2
	switch {
	case b.LowerInclusive && b.UpperInclusive:
		boundaries = 3
	case b.LowerInclusive:
		boundaries = 1
	case b.UpperInclusive:
		boundaries = 0
	}
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, int64(boundaries), 10)
	for _, f := range []float64{b.Lower, b.Upper, b.Count} {
		dst = append(dst, ',')
		dst = appendFloat(dst, f)
	}
	return append(dst, ']')
}

// appendStrings appends a JSON array of strings (null for a nil slice).
func appendStrings(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}

// appendRawString appends s quoted as jsoniter's Stream.WriteString does for
// Prometheus' labels: only ", \ and control characters are escaped; other
// bytes are copied as they are.
func appendRawString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendString appends s quoted as Prometheus encodes every other string
// (jsoniter's standard-library-compatible configuration): HTML characters
// escaped as \u003c etc., invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = appendRuneEscape(dst, r)
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscape appends the escape of the ASCII byte c: \" \\ \n \r \t, or
// \u00XX.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// appendRuneEscape appends \ufffd, \u2028 or \u2029.
func appendRuneEscape(dst []byte, r rune) []byte {
	switch r {
	case '\u2028':
		return append(dst, `\u2028`...)
	case '\u2029':
		return append(dst, `\u2029`...)
	}
	return append(dst, `\ufffd`...)
}
