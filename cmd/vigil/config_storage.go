package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// minBlockDuration is the shortest storage.block_duration accepted. Short
// blocks are for tests; production keeps the default of 2h.
const minBlockDuration = time.Second

// storage decodes the storage section, then checks what spans its keys:
// the out-of-order window fits in half a block.
func (d *decoder) storage(c *StorageConfig) decodeFunc {
	return func(n *yaml.Node, path string) {
		var oooLine int
		d.mapping(storageSchema(d, c, &oooLine))(n, path)
		if n.Kind == yaml.MappingNode && !d.failed(path+".block_duration") {
			d.checkOutOfOrderWindow(c, oooLine, path)
		}
	}
}

// storageSchema maps the keys of the storage section; oooLine records the
// line of out_of_order_window.
func storageSchema(d *decoder, c *StorageConfig, oooLine *int) schema {
	return schema{
		"data_dir":            d.nonEmpty(&c.DataDir),
		"retention":           d.duration(&c.Retention),
		"retention_size":      d.byteSize(&c.RetentionSize),
		"wal_sync":            d.walSync(&c.WALSync),
		"block_duration":      d.durationAtLeast(&c.BlockDuration, minBlockDuration),
		"out_of_order_window": line(oooLine, d.duration(&c.OutOfOrderWindow)),
	}
}

// checkOutOfOrderWindow requires out_of_order_window ≤ block_duration/2: a
// late sample must still fall in the head, which keeps about half a block
// behind its newest sample.
func (d *decoder) checkOutOfOrderWindow(c *StorageConfig, oooLine int, path string) {
	half := c.BlockDuration / 2
	if c.OutOfOrderWindow <= half {
		return
	}
	d.errorAt(oooLine, path+".out_of_order_window", "%s is more than half of %s.block_duration (%s): at most %s",
		model.Duration(c.OutOfOrderWindow), path, model.Duration(c.BlockDuration), model.Duration(half))
}

// failed reports whether a problem of the key at path was recorded.
func (d *decoder) failed(path string) bool {
	for _, err := range d.errs {
		if ce, ok := errors.AsType[*ConfigError](err); ok && ce.Key == path {
			return true
		}
	}
	return false
}

// byteSize decodes a number of bytes: a plain integer, or a whole number
// and a unit as parseSize reads it. 0 is allowed.
func (d *decoder) byteSize(dst *int64) decodeFunc {
	return func(n *yaml.Node, path string) {
		s, ok := d.scalar(n, path, "a size in bytes")
		if !ok {
			return
		}
		v, err := decodeSize(n, s)
		if err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		*dst = v
	}
}

// decodeSize reads a YAML integer (1_000_000 and 0x10 included) as such,
// and anything else with parseSize.
func decodeSize(n *yaml.Node, s string) (int64, error) {
	if n.ShortTag() != "!!int" {
		return parseSize(s)
	}
	var v int64
	if err := n.Decode(&v); err != nil {
		return 0, fmt.Errorf("size %q is too large: at most %d bytes", s, int64(math.MaxInt64))
	}
	if v < 0 {
		return 0, fmt.Errorf("must be 0 (no limit) or more, got %s", s)
	}
	return v, nil
}

// sizeUnits are the units parseSize accepts, each suffix before any suffix
// of it ("KB" before "B").
var sizeUnits = []struct {
	suffix string
	bytes  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"B", 1},
}

// parseSize reads a size such as 512MB or 10GiB: a whole number of bytes,
// optionally followed (a space between allowed) by a unit: B; KB, MB, GB,
// TB, powers of 1000; KiB, MiB, GiB, TiB, powers of 1024. Units are case
// sensitive.
func parseSize(s string) (int64, error) {
	num, mult := s, int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.bytes
			break
		}
	}
	v, err := strconv.ParseUint(num, 10, 63)
	switch {
	case errors.Is(err, strconv.ErrRange) || (err == nil && int64(v) > math.MaxInt64/mult):
		return 0, fmt.Errorf("size %q is too large: at most %d bytes", s, int64(math.MaxInt64))
	case err != nil:
		return 0, fmt.Errorf("invalid size %q: want a number of bytes, or a whole number and a unit: "+
			"KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), such as 512MB or 10GiB", s)
	}
	return int64(v) * mult, nil
}
