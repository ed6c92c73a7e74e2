package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/stretchr/testify/require"

	"github.com/vigilsre/vigil/alerting"
	"github.com/vigilsre/vigil/depgraph"
)

// notSuppressedBody is the envelope of an explain answer for alert with
// labels (JSON), not suppressed, for reason (a JSON string).
func notSuppressedBody(t *testing.T, alert, labels, reason string) string {
	return compact(t, `{"status":"success","data":{"alert":"`+alert+`","labels":`+labels+
		`,"suppressed":false,"by":[],"reason":`+reason+`}}`)
}

// replica is a firing replica alert in region.
func replica(name, region string) alerting.Alert {
	return depsAlert(labels.FromStrings("alertname", name, "region", region), alerting.StateFiring, at(0))
}

// withReplicas returns the scenario's alerts and the given ones.
func withReplicas(extra ...alerting.Alert) []alerting.Alert {
	return append(depsAlerts(), extra...)
}

// TestExplainSuppressed: the causes and their paths, root first, in
// "by" and in words.
func TestExplainSuppressed(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		alerts      []alerting.Alert
		want        string
	}{{
		"through the service", `alert=WebErrors&labels={region="us-east"}`, depsAlerts(),
		`{"status":"success","data":{"alert":"WebErrors","labels":{"alertname":"WebErrors","region":"us-east"},
		"suppressed":true,"by":[
			{"alertname":"MetadataDBDown","labels":{"alertname":"MetadataDBDown","region":"us-east","service":"metadata-db"},
			 "path":["WebErrors","web","metadata-db","MetadataDBDown"],"root":true}],
		"reason":"MetadataDBDown{region=\"us-east\", service=\"metadata-db\"} fires: WebErrors → web → metadata-db → MetadataDBDown"}}`,
	}, {
		"a chain, root first", `alert=WebLatency&labels={region="us-east"}`, depsAlerts(),
		`{"status":"success","data":{"alert":"WebLatency","labels":{"alertname":"WebLatency","region":"us-east"},
		"suppressed":true,"by":[
			{"alertname":"MetadataDBDown","labels":{"alertname":"MetadataDBDown","region":"us-east","service":"metadata-db"},
			 "path":["WebLatency","WebErrors","web","metadata-db","MetadataDBDown"],"root":true},
			{"alertname":"WebErrors","labels":{"alertname":"WebErrors","region":"us-east"},
			 "path":["WebLatency","WebErrors"],"root":false}],
		"reason":"MetadataDBDown{region=\"us-east\", service=\"metadata-db\"} fires: WebLatency → WebErrors → web → metadata-db → MetadataDBDown; WebErrors{region=\"us-east\"} fires: WebLatency → WebErrors"}}`,
	}, {
		"all_of in whole", `alert=CheckoutFailing&labels={region="us-east",instance="c1"}`,
		withReplicas(replica("ReplicaADown", "us-east"), replica("ReplicaBDown", "us-east")),
		`{"status":"success","data":{"alert":"CheckoutFailing","labels":{"alertname":"CheckoutFailing","instance":"c1","region":"us-east"},
		"suppressed":true,"by":[
			{"alertname":"ReplicaADown","labels":{"alertname":"ReplicaADown","region":"us-east"},
			 "path":["CheckoutFailing","ReplicaADown"],"root":true},
			{"alertname":"ReplicaBDown","labels":{"alertname":"ReplicaBDown","region":"us-east"},
			 "path":["CheckoutFailing","ReplicaBDown"],"root":true}],
		"reason":"ReplicaADown{region=\"us-east\"} fires: CheckoutFailing → ReplicaADown; ReplicaBDown{region=\"us-east\"} fires: CheckoutFailing → ReplicaBDown"}}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newDepsServer(t, scenarioDeps(t, nil, tc.alerts))
			status, body := get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(tc.query))
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, compact(t, tc.want), body)
		})
	}
}

// TestExplainNotSuppressed: each reason an alert is not suppressed.
func TestExplainNotSuppressed(t *testing.T) {
	dbDownWest := depsAlert(labels.FromStrings("alertname", "MetadataDBDown", "region", "us-west", "service", "metadata-db"), alerting.StatePending, at(time.Minute))
	for _, tc := range []struct {
		name, query string
		alerts      []alerting.Alert
		alert       string
		labels      string
		reason      string
	}{{
		"label differs", `alert=WebErrors&labels={region="us-west"}`, depsAlerts(),
		"WebErrors", `{"alertname":"WebErrors","region":"us-west"}`,
		`"MetadataDBDown fires but region differs: us-east ≠ us-west"`,
	}, {
		"label missing; other labels ignored", `alert=WebErrors&labels={instance="w1"}`, depsAlerts(),
		"WebErrors", `{"alertname":"WebErrors","instance":"w1"}`,
		`"MetadataDBDown fires but region differs: us-east ≠ \"\""`,
	}, {
		"pending cause (held), and a firing one that differs", `alert=WebErrors&labels={region="eu"}`, depsAlerts(),
		"WebErrors", `{"alertname":"WebErrors","region":"eu"}`,
		`"MetadataDBDown{region=\"eu\", service=\"metadata-db\"} is pending, not firing yet; MetadataDBDown fires but region differs: us-east ≠ eu"`,
	}, {
		"pending cause only", `alert=WebErrors&labels={region="us-west"}`, []alerting.Alert{dbDownWest},
		"WebErrors", `{"alertname":"WebErrors","region":"us-west"}`,
		`"MetadataDBDown{region=\"us-west\", service=\"metadata-db\"} is pending, not firing yet"`,
	}, {
		"a chain: causes differ, root causes first, one instance per alert", `alert=WebLatency&labels={region="ap"}`, depsAlerts(),
		"WebLatency", `{"alertname":"WebLatency","region":"ap"}`,
		`"WebErrors fires but region differs: eu ≠ ap; MetadataDBDown fires but region differs: us-east ≠ ap"`,
	}, {
		"all_of in part", `alert=CheckoutFailing&labels={region="us-east"}`, withReplicas(replica("ReplicaADown", "us-east")),
		"CheckoutFailing", `{"alertname":"CheckoutFailing","region":"us-east"}`,
		`"ReplicaADown fires but all_of [ReplicaADown, ReplicaBDown] lacks a matching ReplicaBDown"`,
	}, {
		"all_of in part, two instances in the same words", `alert=CheckoutFailing&labels={region="us-east"}`,
		withReplicas(replica("ReplicaADown", "us-east"), depsAlert(labels.FromStrings("alertname", "ReplicaADown", "region", "us-east", "instance", "r2"), alerting.StateFiring, at(0))),
		"CheckoutFailing", `{"alertname":"CheckoutFailing","region":"us-east"}`,
		`"ReplicaADown fires but all_of [ReplicaADown, ReplicaBDown] lacks a matching ReplicaBDown"`,
	}, {
		"all_of in whole, one alternative elsewhere", `alert=CheckoutFailing&labels={region="us-east"}`,
		withReplicas(replica("ReplicaADown", "us-east"), replica("ReplicaBDown", "eu")),
		"CheckoutFailing", `{"alertname":"CheckoutFailing","region":"us-east"}`,
		`"ReplicaADown fires but all_of [ReplicaADown, ReplicaBDown] lacks a matching ReplicaBDown; ReplicaBDown fires but region differs: eu ≠ us-east"`,
	}, {
		"no firing ancestor", `alert=CheckoutFailing&labels={region="us-east"}`, depsAlerts(),
		"CheckoutFailing", `{"alertname":"CheckoutFailing","region":"us-east"}`,
		`"no firing ancestor"`,
	}, {
		"no firing alert at all", `alert=WebLatency&labels={region="us-east"}`, nil,
		"WebLatency", `{"alertname":"WebLatency","region":"us-east"}`,
		`"no firing ancestor"`,
	}, {
		"no ancestor", `alert=DiskFull&labels={alertname="DiskFull",instance="n1",empty=""}`, depsAlerts(),
		"DiskFull", `{"alertname":"DiskFull","instance":"n1"}`,
		`"no firing ancestor: DiskFull depends on no alert or service"`,
	}, {
		"a cause's own cause is no ancestor", `alert=MetadataDBDown&labels={region="us-east"}`, depsAlerts(),
		"MetadataDBDown", `{"alertname":"MetadataDBDown","region":"us-east"}`,
		`"no firing ancestor: MetadataDBDown depends on no alert or service"`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newDepsServer(t, scenarioDeps(t, nil, tc.alerts))
			status, body := get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(tc.query))
			require.Equal(t, http.StatusOK, status)
			require.Equal(t, notSuppressedBody(t, tc.alert, tc.labels, tc.reason), body)
		})
	}
}

func TestExplainBadParameters(t *testing.T) {
	srv := newDepsServer(t, scenarioDeps(t, nil, depsAlerts()))
	for _, tc := range []struct {
		name, query, msg string
	}{
		{"no alert", `labels={region="us-east"}`, `invalid parameter "alert": an alert name is required`},
		{"empty alert", `alert=&labels={region="us-east"}`, `invalid parameter "alert": an alert name is required`},
		{"unknown alert", `alert=Nope`, `invalid parameter "alert": no alerting rule "Nope" in the dependency graph`},
		{"a service is no alert", `alert=web`, `invalid parameter "alert": no alerting rule "web" in the dependency graph`},
		{"label set syntax", `alert=WebErrors&labels={region=`, `invalid parameter "labels": 1:9: parse error: unexpected end of input inside braces`},
		{"matcher, not a label", `alert=WebErrors&labels={region=~"us-.*"}`, `invalid parameter "labels": 1:8: parse error: unexpected <op:=~> in label set, expected "="`},
		{"not a label set", `alert=WebErrors&labels=region="us-east"`, `invalid parameter "labels": 1:7: parse error: unexpected "="`},
		{"series", `alert=WebErrors&labels=up{region="us-east"}`, `invalid parameter "labels": want a label set such as {region="us-east"}, not the series {__name__="up", region="us-east"}`},
		{"label twice", `alert=WebErrors&labels={region="a",region="b"}`, `invalid parameter "labels": label "region" is set twice`},
		{"other alertname", `alert=WebErrors&labels={alertname="WebLatency"}`, `invalid parameter "labels": alertname "WebLatency" differs from the alert parameter "WebErrors"`},
		{"bad form", `alert=%zz`, `error parsing form values: invalid URL escape "%zz"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(tc.query))
			require.Equal(t, http.StatusBadRequest, status)
			require.Equal(t, badDataBody(tc.msg), body)
		})
	}
}

// TestExplainNoGraph: before the first load every alert is unknown.
func TestExplainNoGraph(t *testing.T) {
	status, body := get(t, newDepsServer(t, fakeDeps{}), "/api/v1/deps/explain?alert=WebErrors")
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, badDataBody(`invalid parameter "alert": no alerting rule "WebErrors" in the dependency graph`), body)
}

// TestExplainPathsAskDifferentLabels: when two paths to a cause ask for
// different labels (A -> C region, A -> B -> C zone), the reason names
// those of one path, not every label that differs: the path with the
// fewest differing labels, then the shortest.
func TestExplainPathsAskDifferentLabels(t *testing.T) {
	g, err := depgraph.Build([]depgraph.AlertSpec{
		{Name: "A", DependsOn: []depgraph.Dependency{{Alert: "C", Match: []string{"region"}}, {Alert: "B", Match: []string{"zone"}}}},
		{Name: "B", DependsOn: []depgraph.Dependency{{Alert: "C", Match: []string{"zone"}}}},
		{Name: "C"},
		{Name: "E", DependsOn: []depgraph.Dependency{{Alert: "C", Match: []string{"region", "zone"}}}},
		{Name: "G", DependsOn: []depgraph.Dependency{{Alert: "C", Match: []string{"region", "zone"}}, {Alert: "B", Match: []string{"zone"}}}},
	}, nil)
	require.NoError(t, err)
	c := depsAlert(labels.FromStrings("alertname", "C", "region", "r1", "zone", "z1", "instance", "c1"), alerting.StateFiring, at(0))
	srv := newDepsServer(t, fakeDeps{graph: g, alerts: []alerting.Alert{c}})
	status, body := get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(`alert=A&labels={region="r2",zone="z2"}`))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, notSuppressedBody(t, "A", `{"alertname":"A","region":"r2","zone":"z2"}`,
		`"C fires but region differs: r1 ≠ r2"`), body)

	// One path asking for both: both are named.
	status, body = get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(`alert=E&labels={region="r2",zone="z2"}`))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, notSuppressedBody(t, "E", `{"alertname":"E","region":"r2","zone":"z2"}`,
		`"C fires but region differs: r1 ≠ r2, zone differs: z1 ≠ z2"`), body)

	// A longer path with fewer differing labels (G -> B -> C, zone) is
	// named rather than the direct one asking for both.
	status, body = get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(`alert=G&labels={region="r2",zone="z2"}`))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, notSuppressedBody(t, "G", `{"alertname":"G","region":"r2","zone":"z2"}`,
		`"C fires but zone differs: z1 ≠ z2"`), body)
}

// TestExplainAllOfOnlyWhenTheGroupIsNeeded: an alternative of an all_of
// group that would explain the alert by another path (here, as a member
// of a service it depends on) is not reported as the group lacking it.
func TestExplainAllOfOnlyWhenTheGroupIsNeeded(t *testing.T) {
	g, err := depgraph.Build([]depgraph.AlertSpec{
		{Name: "HighErrorRate"},
		{Name: "StoragePrimaryDown"},
		{Name: "StorageReplicaDown"},
		{Name: "QueueBacklog", DependsOn: []depgraph.Dependency{
			{AllOf: []string{"StoragePrimaryDown", "StorageReplicaDown"}, Match: []string{"region"}},
		}},
	}, []depgraph.Services{{Services: []depgraph.Service{
		{Name: "api", Alerts: []string{"HighErrorRate"}, DependsOn: []depgraph.ServiceDependency{{Service: "storage", Match: []string{"region"}}}},
		{Name: "storage", Alerts: []string{"StoragePrimaryDown", "StorageReplicaDown"}},
	}}})
	require.NoError(t, err)
	primary := depsAlert(labels.FromStrings("alertname", "StoragePrimaryDown", "region", "us-east"), alerting.StateFiring, at(0))
	srv := newDepsServer(t, fakeDeps{graph: g, alerts: []alerting.Alert{primary}})

	status, body := get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(`alert=HighErrorRate&labels={region="us-west"}`))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, notSuppressedBody(t, "HighErrorRate", `{"alertname":"HighErrorRate","region":"us-west"}`,
		`"StoragePrimaryDown fires but region differs: us-east ≠ us-west"`), body)

	// For the rule that has the group, the group is the reason.
	status, body = get(t, srv, "/api/v1/deps/explain?"+escapeBrackets(`alert=QueueBacklog&labels={region="us-east"}`))
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, notSuppressedBody(t, "QueueBacklog", `{"alertname":"QueueBacklog","region":"us-east"}`,
		`"StoragePrimaryDown fires but all_of [StoragePrimaryDown, StorageReplicaDown] lacks a matching StorageReplicaDown"`), body)
}
