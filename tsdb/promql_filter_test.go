package tsdb_test

import (
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
)

// The eval command patterns of promqltest (test.go), for the expression.
var (
	patEvalInstant = regexp.MustCompile(`^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$`)
	patEvalRange   = regexp.MustCompile(`^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$`)
)

// scriptFilter rewrites a promqltest script for a store that holds float
// samples only. In each block (the commands between two `clear`s) it removes
// the series the store cannot hold — native histograms, the histograms that
// load_with_nhcb derives from classic ones, series with start timestamps —
// and every eval that could select one of them, or that expects a histogram.
// What remains reads only float series, loaded exactly as the script says,
// so it must give exactly the script's answers. Removed lines become blank,
// so line numbers in failures are the original file's.
type scriptFilter struct {
	parser      parser.Parser
	unsupported []labels.Labels // series of the current block the store cannot hold
	evals       int             // evals in the script
	dropped     int             // evals removed
}

// floatOnlyScript filters a script and returns it with its eval counts.
func floatOnlyScript(script string) (out string, evals, dropped int) {
	f := &scriptFilter{parser: parser.NewParser(promqltest.TestParserOpts)}
	lines := strings.Split(script, "\n")
	start := 0
	for i := 0; i <= len(lines); i++ {
		if i == len(lines) || strings.TrimSpace(lines[i]) == "clear" {
			f.block(lines[start:i])
			start = i + 1
		}
	}
	return strings.Join(lines, "\n"), f.evals, f.dropped
}

// block filters the lines of one block in place.
func (f *scriptFilter) block(lines []string) {
	f.unsupported = f.unsupported[:0]
	for i := 0; i < len(lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "load") {
			i = f.load(lines, i)
		}
	}
	for i := 0; i < len(lines); i++ {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "eval") {
			i = f.eval(lines, i)
		}
	}
}

// commandEnd returns the index of the blank (or comment) line that ends the
// command starting at line i, as promqltest reads it.
func commandEnd(lines []string, i int) int {
	for i++; i < len(lines); i++ {
		if l := strings.TrimSpace(lines[i]); l == "" || strings.HasPrefix(l, "#") {
			break
		}
	}
	return i
}

// load filters a load command and returns the index of its last line. A
// blank line would end the command, so a removed series line becomes a copy
// of a kept one (defining a series twice with the same samples changes
// nothing); a command left with no series is removed whole.
func (f *scriptFilter) load(lines []string, i int) int {
	header := strings.TrimSpace(lines[i])
	nhcb := strings.HasPrefix(header, "load_with_nhcb")
	if nhcb {
		lines[i] = "load" + strings.TrimPrefix(header, "load_with_nhcb")
	}
	end := commandEnd(lines, i)
	defs := lines[i+1 : end]
	for j := 0; j < len(defs); j++ {
		j += f.seriesLine(defs, j, nhcb)
	}
	kept := slices.IndexFunc(defs, func(l string) bool { return l != "" })
	if kept < 0 {
		clear(lines[i:end])
		return end - 1
	}
	for j := range defs {
		if defs[j] == "" {
			defs[j] = defs[kept]
		}
	}
	return end - 1
}

// seriesLine handles the series definition defs[j], blanking it when the
// store cannot hold the series, and returns how many more lines it consumed.
func (f *scriptFilter) seriesLine(defs []string, j int, nhcb bool) int {
	def := strings.TrimSpace(defs[j])
	if first, _, _ := strings.Cut(def, " "); strings.HasSuffix(first, "@st") && j+1 < len(defs) {
		defs[j] = "" // the start timestamps of the next line's series
		defs[j+1] = f.drop(defs[j+1])
		return 1
	}
	if strings.Contains(def, "{{") {
		defs[j] = f.drop(def)
		return 0
	}
	if lset, _, err := f.parser.ParseSeriesDesc(def); err == nil && nhcb {
		if base, ok := nhcbSeries(lset); ok {
			f.unsupported = append(f.unsupported, base)
		}
	}
	return 0
}

// drop records the series of a definition line as unsupported and returns
// the blank line that replaces it.
func (f *scriptFilter) drop(def string) string {
	if lset, _, err := f.parser.ParseSeriesDesc(strings.TrimSpace(def)); err == nil {
		f.unsupported = append(f.unsupported, lset)
	}
	return ""
}

// nhcbSeries returns the native histogram that load_with_nhcb makes of a
// classic histogram's _bucket, _count or _sum series.
func nhcbSeries(lset labels.Labels) (labels.Labels, bool) {
	name := lset.Get(labels.MetricName)
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			b := labels.NewBuilder(lset)
			b.Set(labels.MetricName, base)
			b.Del("le")
			return b.Labels(), true
		}
	}
	return labels.EmptyLabels(), false
}

// eval drops an eval command that could select an unsupported series or
// expects a histogram, and returns the index of its last line.
func (f *scriptFilter) eval(lines []string, i int) int {
	end := commandEnd(lines, i)
	f.evals++
	if f.needsUnsupported(lines[i:end]) {
		clear(lines[i:end])
		f.dropped++
	}
	return end - 1
}

func (f *scriptFilter) needsUnsupported(cmd []string) bool {
	if slices.ContainsFunc(cmd, func(l string) bool { return strings.Contains(l, "{{") }) {
		return true
	}
	expr, err := f.parser.ParseExpr(evalExpr(strings.TrimSpace(cmd[0])))
	if err != nil {
		return false // promqltest reports it
	}
	for _, ms := range parser.ExtractSelectors(expr) {
		if slices.ContainsFunc(f.unsupported, func(lset labels.Labels) bool { return matchesAll(ms, lset) }) {
			return true
		}
	}
	return false
}

// evalExpr returns the expression of an eval line.
func evalExpr(line string) string {
	if parts := patEvalInstant.FindStringSubmatch(line); parts != nil {
		return parts[3]
	}
	if parts := patEvalRange.FindStringSubmatch(line); parts != nil {
		return parts[5]
	}
	return ""
}

func matchesAll(ms []*labels.Matcher, lset labels.Labels) bool {
	for _, m := range ms {
		if !m.Matches(lset.Get(m.Name)) {
			return false
		}
	}
	return true
}
