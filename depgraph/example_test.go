package depgraph_test

import (
	"fmt"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/depgraph"
)

// The package doc's example: web depends on metadata-db in the same region;
// WebLatency depends on WebErrors, a member of web.
func ExampleGraph_Explain() {
	svcs, err := depgraph.ParseServices("deps.yml", []byte(`
services:
  - name: web
    depends_on: [{service: metadata-db, match: [region]}]
    alerts: [WebErrors]
  - name: metadata-db
`))
	if err != nil {
		panic(err)
	}
	g, err := depgraph.Build([]depgraph.AlertSpec{
		{Name: "WebErrors"},
		{Name: "MetadataDBDown"},
		{Name: "WebLatency", DependsOn: []depgraph.Dependency{{Alert: "WebErrors", Match: []string{"region", "cluster"}}}},
	}, []depgraph.Services{svcs})
	if err != nil {
		panic(err)
	}
	instance := func(alert string, kv ...string) depgraph.Instance {
		return depgraph.Instance{Alert: alert, Labels: labels.FromStrings(append([]string{labels.AlertName, alert}, kv...)...)}
	}
	firing := depgraph.NewFiring()
	firing.Add(instance("MetadataDBDown", "service", "metadata-db", "region", "us-east"))

	show := func(d depgraph.Instance) {
		dec := g.Explain(d, firing)
		fmt.Println(d, "suppressed:", dec.Suppressed)
		for _, e := range dec.By {
			fmt.Println("  by", e.Cause, "root:", e.Root, "path:", e.Path)
		}
	}
	show(instance("WebErrors", "region", "us-east"))
	show(instance("WebErrors", "region", "eu-west"))
	show(instance("WebLatency", "region", "us-east", "cluster", "a"))
	firing.Add(instance("WebErrors", "region", "us-east", "cluster", "a"))
	show(instance("WebLatency", "region", "us-east", "cluster", "a"))
	// Output:
	// WebErrors{region="us-east"} suppressed: true
	//   by MetadataDBDown{region="us-east", service="metadata-db"} root: true path: [WebErrors web metadata-db MetadataDBDown]
	// WebErrors{region="eu-west"} suppressed: false
	// WebLatency{cluster="a", region="us-east"} suppressed: true
	//   by MetadataDBDown{region="us-east", service="metadata-db"} root: true path: [WebLatency WebErrors web metadata-db MetadataDBDown]
	// WebLatency{cluster="a", region="us-east"} suppressed: true
	//   by MetadataDBDown{region="us-east", service="metadata-db"} root: true path: [WebLatency WebErrors web metadata-db MetadataDBDown]
	//   by WebErrors{cluster="a", region="us-east"} root: false path: [WebLatency WebErrors]
}

// Weights: users call api; api calls auth for every request and auth calls
// db for half of them.
func ExampleWeights() {
	w := depgraph.Weights([]depgraph.Call{
		{Caller: "", Callee: "api", Rate: 100},
		{Caller: "api", Callee: "auth", Rate: 100},
		{Caller: "auth", Callee: "db", Rate: 50},
	}, nil)
	fmt.Println(w["api"], w["auth"], w["db"])
	// Output: 1 1 0.5
}
