package main

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vigilsre/vigil/ingest"
)

// ingestSchema maps the keys of the ingest section.
func ingestSchema(d *decoder, c *IngestConfig) schema {
	return schema{
		"max_body_bytes":        d.positiveInt64AtMost(&c.MaxBodyBytes, ingest.MaxBodyBytesLimit),
		"max_inflight_requests": d.positiveInt(&c.MaxInflightRequests),
		"max_inflight_bytes":    d.positiveByteSize(&c.MaxInflightBytes),
	}
}

// positiveByteSize decodes a number of bytes greater than zero: a plain
// integer, or a whole number and a unit as parseSize reads it (512MiB).
func (d *decoder) positiveByteSize(dst *int64) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a size in bytes")
		if !ok {
			return
		}
		v, err := decodeSize(n, s)
		switch {
		case n.ShortTag() == "!!int" && strings.HasPrefix(s, "-"):
			d.errorf(n, path, "must be greater than 0, got %s", s)
		case err != nil:
			d.errorf(n, path, "%v", err)
		case v == 0:
			d.errorf(n, path, "must be greater than 0, got %s", s)
		default:
			*dst = v
		}
	}
}

// positiveInt64AtMost decodes an integer greater than zero and at most max.
func (d *decoder) positiveInt64AtMost(dst *int64, max int64) decodeFunc {
	var v int64
	decode := d.positiveInt64(&v)
	return func(n *yaml.Node, path string) {
		v = 0
		decode(n, path)
		switch {
		case v > max:
			d.errorf(n, path, "must be at most %d, got %d", max, v)
		case v > 0:
			*dst = v
		}
	}
}
