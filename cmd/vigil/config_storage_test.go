package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseRetentionSize(t *testing.T) {
	const invalid = `: want a number of bytes, or a whole number and a unit: KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), such as 512MB or 10GiB`
	tests := []struct {
		value   string
		want    int64
		wantErr string
	}{
		{"0", 0, ""},
		{"1048576", 1 << 20, ""},
		{"1_000_000", 1_000_000, ""},
		{`"4096"`, 4096, ""},
		{"100B", 100, ""},
		{"1KB", 1000, ""},
		{"512MB", 512_000_000, ""},
		{"10GB", 10_000_000_000, ""},
		{"1TB", 1_000_000_000_000, ""},
		{"1KiB", 1 << 10, ""},
		{"512MiB", 512 << 20, ""},
		{"10GiB", 10 << 30, ""},
		{"2TiB", 2 << 40, ""},
		{"10 GiB", 10 << 30, ""},
		{"0GB", 0, ""},
		{"8388607TiB", 8388607 << 40, ""},
		{"-1", 0, "must be 0 (no limit) or more, got -1"},
		{"8388608TiB", 0, `size "8388608TiB" is too large: at most 9223372036854775807 bytes`},
		{"9223372036854775808", 0, `size "9223372036854775808" is too large: at most 9223372036854775807 bytes`},
		{"10gb", 0, `invalid size "10gb"` + invalid},
		{"1.5GB", 0, `invalid size "1.5GB"` + invalid},
		{"-1GB", 0, `invalid size "-1GB"` + invalid},
		{"GB", 0, `invalid size "GB"` + invalid},
		{"1e9", 0, `invalid size "1e9"` + invalid},
		{"10 PB", 0, `invalid size "10 PB"` + invalid},
		{"[1]", 0, `expected a size in bytes, got a list`},
	}
	for _, tt := range tests {
		got, err := Parse("vigil.yml", []byte("storage:\n  retention_size: "+tt.value+"\n"))
		if tt.wantErr != "" {
			require.EqualError(t, err, "vigil.yml:2: storage.retention_size: "+tt.wantErr, tt.value)
			continue
		}
		require.NoError(t, err, tt.value)
		require.Equal(t, tt.want, got.Storage.RetentionSize, tt.value)
	}
}

func TestParseBlockDurationAndWindow(t *testing.T) {
	tests := []struct {
		name    string
		yml     string
		block   time.Duration
		window  time.Duration
		wantErr string
	}{
		{"defaults", "data_dir: d", 2 * time.Hour, 0, ""},
		{"block only", "block_duration: 30m", 30 * time.Minute, 0, ""},
		{"window at half the default", "out_of_order_window: 1h", 2 * time.Hour, time.Hour, ""},
		{"window at half", "block_duration: 1m\n  out_of_order_window: 30s", time.Minute, 30 * time.Second, ""},
		{"window first", "out_of_order_window: 1m\n  block_duration: 2m", 2 * time.Minute, time.Minute, ""},
		{"shortest block", "block_duration: 1s\n  out_of_order_window: 500ms", time.Second, 500 * time.Millisecond, ""},
		{"window 0", "out_of_order_window: 0s", 2 * time.Hour, 0, ""},
		{"block too short", "block_duration: 999ms",
			0, 0, "vigil.yml:2: storage.block_duration: must be at least 1s, got 999ms"},
		{"block zero", "block_duration: 0",
			0, 0, "vigil.yml:2: storage.block_duration: must be at least 1s, got 0"},
		{"block bad", "block_duration: 2 hours",
			0, 0, `vigil.yml:2: storage.block_duration: invalid duration "2 hours"`},
		{"window bad", "out_of_order_window: -1m",
			0, 0, `vigil.yml:2: storage.out_of_order_window: invalid duration "-1m"`},
		{"window over half the default", "out_of_order_window: 1h1s",
			0, 0, "vigil.yml:2: storage.out_of_order_window: 1h1s is more than half of storage.block_duration (2h): at most 1h"},
		{"window over half", "block_duration: 1h\n  out_of_order_window: 45m",
			0, 0, "vigil.yml:3: storage.out_of_order_window: 45m is more than half of storage.block_duration (1h): at most 30m"},
		{"window over half, set first", "out_of_order_window: 2m\n  block_duration: 3m",
			0, 0, "vigil.yml:2: storage.out_of_order_window: 2m is more than half of storage.block_duration (3m): at most 1m30s"},
		{"bad block, no second problem", "block_duration: 10ms\n  out_of_order_window: 1h",
			0, 0, "vigil.yml:2: storage.block_duration: must be at least 1s, got 10ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("vigil.yml", []byte("storage:\n  "+tt.yml+"\n"))
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, [2]time.Duration{tt.block, tt.window},
				[2]time.Duration{got.Storage.BlockDuration, got.Storage.OutOfOrderWindow})
		})
	}
}
