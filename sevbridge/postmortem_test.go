package sevbridge

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var rewritePostmortem = flag.Bool("rewrite-postmortem", false, "rewrite testdata/postmortem/*.golden.md")

func goldenSEV() *SEV {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	mit := at(400)
	return &SEV{
		ID: "SEV-7", Type: TypeAvailability, Level: 1, State: StateMitigated,
		Title:  "Availability of /login at 85.0% (below 90% for 30s)",
		Routes: []string{"/login", "/upload"},
		Impact: []Impact{
			{Scope: ScopeRoute, Route: "/login", Value: 0.85, Threshold: 0.9, For: 30 * time.Second, Level: 1},
			{Scope: ScopeRoute, Route: "/upload", Value: 0.95, Threshold: 0.97, For: 30 * time.Second, Level: 2},
		},
		Roles:           Roles{IMOC: "ana", TLOC: "dan", BMOC: "cat"},
		Links:           Links{PagerDuty: map[string]string{"imoc": "SEV-7-imoc", "tloc": "SEV-7-tloc", "bmoc": "SEV-7-bmoc"}, Channel: "#sev-7", Postmortem: "postmortems/SEV-7.md"},
		ImpactStartedAt: at(0), DetectedAt: at(40), FiledAt: at(40), MitigatedAt: &mit,
		Timeline: []Entry{
			{Time: at(0), Kind: KindImpactStarted, Actor: "vigil", Detail: "/login below 90%"},
			{Time: at(40), Kind: KindFiled, Actor: "vigil", Detail: "level 1 | route /login"},
			{Time: at(100), Kind: KindAcknowledged, Actor: "ana"},
			{Time: at(400), Kind: KindMitigated, Actor: "vigil", Detail: "SLIs above every threshold for 2m0s"},
		},
	}
}

func goldenPoints() []SLIPoint {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	return []SLIPoint{
		{at(40), Reading{Scope: ScopeGlobal, Value: 0.995}},
		{at(40), Reading{Scope: ScopeRoute, Route: "/login", Value: 0.85}},
		{at(50), Reading{Scope: ScopeGlobal, Missing: true}},
		{at(50), Reading{Scope: ScopeRoute, Route: "/login", Value: 0.6}},
		{at(50), Reading{Scope: ScopeRoute, Route: "/upload", Value: 0.95}},
		{at(60), Reading{Scope: ScopeGlobal, Value: 0.999}},
		{at(60), Reading{Scope: ScopeRoute, Route: "/login", Value: 0.99}},
		{at(60), Reading{Scope: ScopeRoute, Route: "/upload", Missing: true}},
	}
}

func TestPostmortemGolden(t *testing.T) {
	for name, tc := range map[string]struct {
		sev    *SEV
		points []SLIPoint
	}{
		"mitigated": {goldenSEV(), goldenPoints()},
		"no-readings": {&SEV{ID: "SEV-1", Type: TypeSecurity, Level: 2, State: StateOpen, Title: "Leaked key",
			Impact: []Impact{{Scope: ScopeManual, Level: 2}}, FiledAt: t0, ImpactStartedAt: t0, DetectedAt: t0}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			got := Postmortem(tc.sev, tc.points)
			path := filepath.Join("testdata", "postmortem", name+".golden.md")
			if *rewritePostmortem {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
		})
	}
}

func TestWritePostmortemAtomic(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pm")
	path, err := WritePostmortem(dir, "SEV-7", []byte("one"))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "SEV-7.md"), path)
	path, err = WritePostmortem(dir, "SEV-7", []byte("two"))
	require.NoError(t, err)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "two", string(data))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1) // no temporary file left behind
}
