package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/prometheus/common/model"
)

// queryData is the data of a query answer.
type queryData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

// tableRow is one printed line: series, time, value.
type tableRow [3]string

// writeResult prints a query result as an aligned table. An empty result
// prints nothing to stdout and says so on stderr.
func writeResult(stdout, stderr io.Writer, raw json.RawMessage) error {
	var data queryData
	if err := json.Unmarshal(raw, &data); err != nil {
		return fmt.Errorf("decode answer data: %w", err)
	}
	rows, err := resultRows(data)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(stderr, "empty result")
		return err
	}
	return writeTable(stdout, rows)
}

// resultRows turns each result type into rows.
func resultRows(data queryData) ([]tableRow, error) {
	var err error
	var rows []tableRow
	switch data.ResultType {
	case "vector":
		var v model.Vector
		err = json.Unmarshal(data.Result, &v)
		rows = vectorRows(v)
	case "matrix":
		var m model.Matrix
		err = json.Unmarshal(data.Result, &m)
		rows = matrixRows(m)
	case "scalar":
		var s model.Scalar
		err = json.Unmarshal(data.Result, &s)
		rows = []tableRow{{"scalar", formatTimestamp(s.Timestamp), s.Value.String()}}
	case "string":
		var s model.String
		err = json.Unmarshal(data.Result, &s)
		rows = []tableRow{{"string", formatTimestamp(s.Timestamp), s.Value}}
	default:
		return nil, fmt.Errorf("unknown result type %q", data.ResultType)
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s result: %w", data.ResultType, err)
	}
	return rows, nil
}

// vectorRows has one row per series.
func vectorRows(v model.Vector) []tableRow {
	rows := make([]tableRow, 0, len(v))
	for _, s := range v {
		value := s.Value.String()
		if s.Histogram != nil {
			value = formatHistogram(s.Histogram)
		}
		rows = append(rows, tableRow{s.Metric.String(), formatTimestamp(s.Timestamp), value})
	}
	return rows
}

// matrixRows has one row per point, series after series.
func matrixRows(m model.Matrix) []tableRow {
	var rows []tableRow
	for _, s := range m {
		series := s.Metric.String()
		for _, p := range s.Values {
			rows = append(rows, tableRow{series, formatTimestamp(p.Timestamp), p.Value.String()})
		}
		for _, h := range s.Histograms {
			rows = append(rows, tableRow{series, formatTimestamp(h.Timestamp), formatHistogram(h.Histogram)})
		}
	}
	return rows
}

// formatHistogram summarizes a native histogram in one cell.
func formatHistogram(h *model.SampleHistogram) string {
	return fmt.Sprintf("histogram count=%s sum=%s", h.Count, h.Sum)
}

// formatTimestamp writes a sample time in UTC, to the millisecond.
func formatTimestamp(t model.Time) string {
	return t.Time().UTC().Format("2006-01-02T15:04:05.000Z")
}

// writeTable aligns rows under a SERIES, TIME, VALUE header.
func writeTable(w io.Writer, rows []tableRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIES\tTIME\tVALUE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r[0], r[1], r[2])
	}
	return tw.Flush()
}
