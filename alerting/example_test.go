package alerting_test

import (
	"fmt"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/alerting"
)

// CheckFiles reports every problem of every file, each naming its line.
func ExampleCheckFiles() {
	for _, err := range alerting.CheckFiles(alerting.LoadSpec{RuleFiles: []string{"testdata/check/two_problems.bad.yml", "testdata/check/good.yml"}}) {
		fmt.Println(err)
	}
	// Output:
	// testdata/check/two_problems.bad.yml:7: group "g", rule 1, "A": could not parse expression: 1:2: parse error: unexpected right parenthesis ')'
	// testdata/check/two_problems.bad.yml:8: group "g", rule 2, "": one of 'record' or 'alert' must be set
}

// DedupKey is the same for the same alert on every replica and after every
// restart, so a paging system opens one incident for it.
func ExampleDedupKey() {
	fmt.Println(alerting.DedupKey(labels.FromStrings("alertname", "HighErrors", "job", "api")))
	// Output: vigil-21a3392fb932595c
}
