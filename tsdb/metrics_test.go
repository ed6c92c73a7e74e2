package tsdb

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	dir := t.TempDir()
	db := openTestDB(t, Options{Dir: dir, Registerer: reg})
	a, b := labels.FromStrings("__name__", "a"), labels.FromStrings("__name__", "b")
	appendOK(t, db, spec(a, ramp(0, 10, 130, 0)...), spec(b, Sample{5, 1}))
	appendOK(t, db, spec(a, Sample{0, 9}, Sample{1290, 129}, Sample{1290, 1}), spec(b, Sample{5, 1}))

	want := `
# HELP vigil_tsdb_head_chunks Chunks in the head, closed and open.
# TYPE vigil_tsdb_head_chunks gauge
vigil_tsdb_head_chunks 3
# HELP vigil_tsdb_head_series Series in the head.
# TYPE vigil_tsdb_head_series gauge
vigil_tsdb_head_series 2
# HELP vigil_tsdb_samples_appended_total Samples stored by AppendBatch.
# TYPE vigil_tsdb_samples_appended_total counter
vigil_tsdb_samples_appended_total 131
# HELP vigil_tsdb_samples_rejected_total Samples AppendBatch rejected, by reason: out_of_order (older than the newest sample) or conflict (same timestamp, other value).
# TYPE vigil_tsdb_samples_rejected_total counter
vigil_tsdb_samples_rejected_total{reason="conflict"} 1
vigil_tsdb_samples_rejected_total{reason="out_of_order"} 1
# HELP vigil_tsdb_series_created_total Series created by AppendBatch.
# TYPE vigil_tsdb_series_created_total counter
vigil_tsdb_series_created_total 2
`
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(want),
		"vigil_tsdb_head_chunks", "vigil_tsdb_head_series", "vigil_tsdb_samples_appended_total",
		"vigil_tsdb_samples_rejected_total", "vigil_tsdb_series_created_total"))
	require.Equal(t, 1, testutil.CollectAndCount(reg, "vigil_wal_records_written_total"), "the WAL got the registerer")

	_, err := Open(Options{Dir: t.TempDir(), Registerer: reg})
	require.ErrorContains(t, err, "register tsdb metrics")

	require.NoError(t, db.Close())
	db = openTestDB(t, Options{Dir: dir, Registerer: reg}) // Close unregistered them
	require.Equal(t, 2.0, testutil.ToFloat64(db.head.metrics.series))
}
