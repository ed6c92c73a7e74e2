package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseIngest(t *testing.T) {
	tests := []struct {
		yml      string
		requests int
		bytes    int64
		wantErr  string
	}{
		{"ingest: {}", 0, 0, ""},
		{"ingest:\n  max_inflight_requests: 8\n  max_inflight_bytes: 16MiB", 8, 16 << 20, ""},
		{"ingest:\n  max_inflight_bytes: 1_000_000", 0, 1_000_000, ""},
		{"ingest:\n  max_inflight_requests: 0", 0, 0, "vigil.yml:2: ingest.max_inflight_requests: must be greater than 0"},
		{"ingest:\n  max_inflight_requests: many", 0, 0, `vigil.yml:2: ingest.max_inflight_requests: expected an integer, got "many"`},
		{"ingest:\n  max_inflight_bytes: 0", 0, 0, "vigil.yml:2: ingest.max_inflight_bytes: must be greater than 0, got 0"},
		{"ingest:\n  max_inflight_bytes: 0MiB", 0, 0, "vigil.yml:2: ingest.max_inflight_bytes: must be greater than 0, got 0MiB"},
		{"ingest:\n  max_inflight_bytes: -5", 0, 0, "vigil.yml:2: ingest.max_inflight_bytes: must be greater than 0, got -5"},
		{"ingest:\n  max_inflight_bytes: 5 parsecs", 0, 0, `vigil.yml:2: ingest.max_inflight_bytes: invalid size "5 parsecs": want a number of bytes, or a whole number and a unit: KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), such as 512MB or 10GiB`},
		{"ingest:\n  max_body_bytes: 1073741825", 0, 0, "vigil.yml:2: ingest.max_body_bytes: must be at most 1073741824, got 1073741825"},
		{"ingest:\n  max_inflight: 5", 0, 0, "vigil.yml:2: ingest.max_inflight: unknown key (known keys: max_body_bytes, max_inflight_bytes, max_inflight_requests)"},
	}
	for _, tt := range tests {
		got, err := Parse("vigil.yml", []byte(tt.yml+"\n"))
		if tt.wantErr != "" {
			require.EqualError(t, err, tt.wantErr, tt.yml)
			continue
		}
		require.NoError(t, err, tt.yml)
		require.Equal(t, tt.requests, got.Ingest.MaxInflightRequests, tt.yml)
		require.Equal(t, tt.bytes, got.Ingest.MaxInflightBytes, tt.yml)
	}
}
