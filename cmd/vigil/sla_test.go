package main

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSLA(t *testing.T) {
	answer := `{"status":"success","data":{"month":"2026-11","minutes":43200,"down_minutes":50,` +
		`"budget":{"target":43.2,"internal":21.6},"left":{"target":-6.8,"internal":-28.4},` +
		`"sevs":[{"id":"SEV-2","down_minutes":45},{"id":"SEV-10","down_minutes":3}]}}`
	tests := []struct {
		name   string
		args   []string
		answer string
		want   apiRequest
		stdout string
	}{
		{"this month", nil, answer, apiRequest{"GET", "/api/v1/sla", url.Values{}},
			`Month:         2026-11 (43200 minutes)
Down minutes:  50

MINUTES  TARGET  INTERNAL TARGET
budget   43.2    21.6
left     -6.8    -28.4

SEV     DOWN MINUTES
SEV-2   45
SEV-10  3
`},
		{"a month without SEVs", []string{"--month", "2026-02"},
			`{"status":"success","data":{"month":"2026-02","minutes":40320,"down_minutes":0,"budget":{"target":40.32,"internal":20.16},"left":{"target":40.32,"internal":20.16},"sevs":[]}}`,
			apiRequest{"GET", "/api/v1/sla", url.Values{"month": {"2026-02"}}},
			`Month:         2026-02 (40320 minutes)
Down minutes:  0

MINUTES  TARGET  INTERNAL TARGET
budget   40.3    20.2
left     40.3    20.2

No down minute fell in a SEV.
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got apiRequest
			srv := cannedAPI(t, 200, tt.answer, &got)
			code, stdout, stderr := runVigil(append([]string{"sla", "--url", srv.URL}, tt.args...)...)
			require.Equal(t, [3]any{0, tt.stdout, ""}, [3]any{code, stdout, stderr})
			require.Equal(t, tt.want, got)
		})
	}
}

func TestSLABadMonth(t *testing.T) {
	code, stdout, stderr := runVigil("sla", "--month", "Nov", "--url", "http://127.0.0.1:1")
	require.Equal(t, [3]any{2, "", "vigil: --month \"Nov\": want YYYY-MM, such as 2026-11 (see \"vigil sla --help\")\n"}, [3]any{code, stdout, stderr})
}
