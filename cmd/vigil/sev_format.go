package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigilsre/vigil/sevbridge"
)

// sevTime writes a SEV time in UTC, to the second; "-" when unset.
func sevTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// sevTimePtr is sevTime of a time that may be nil.
func sevTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return sevTime(*t)
}

// orDash is s, or "-" when empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeSEVTable prints SEVs as an aligned table, in the server's order
// (newest first). No SEV prints nothing to stdout and says so on stderr.
func writeSEVTable(stdout, stderr io.Writer, sevs []*sevbridge.SEV) error {
	if len(sevs) == 0 {
		_, err := fmt.Fprintln(stderr, "no SEVs")
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTYPE\tLEVEL\tSTATE\tFILED\tROUTES\tTITLE")
	for _, s := range sevs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Type, s.Level, s.State, sevTime(s.FiledAt),
			orDash(strings.Join(s.Routes, ",")), s.Title)
	}
	return tw.Flush()
}

// writeSEV prints one SEV: its fields, then its impact and its timeline as
// tables.
func writeSEV(w io.Writer, s *sevbridge.SEV) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s, level %d, %s\n", s.ID, s.Type, s.Level, s.State)
	for _, f := range sevFields(s) {
		fmt.Fprintf(tw, "%s:\t%s\n", f[0], f[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeImpact(w, s.Impact); err != nil {
		return err
	}
	return writeTimeline(w, s.Timeline)
}

// sevFields are the labelled lines of writeSEV.
func sevFields(s *sevbridge.SEV) [][2]string {
	return [][2]string{
		{"Title", s.Title},
		{"Routes", orDash(strings.Join(s.Routes, ", "))},
		{"IMOC", orDash(s.Roles.IMOC)},
		{"TLOC", orDash(s.Roles.TLOC)},
		{"BMOC", orDash(s.Roles.BMOC)},
		{"Impact started", sevTime(s.ImpactStartedAt)},
		{"Detected", sevTime(s.DetectedAt)},
		{"Filed", sevTime(s.FiledAt)},
		{"Mitigated", sevTimePtr(s.MitigatedAt)},
		{"Resolved", sevTimePtr(s.ResolvedAt)},
		{"Channel", orDash(s.Links.Channel)},
		{"Postmortem", orDash(s.Links.Postmortem)},
		{"PagerDuty", orDash(pagerDutyKeys(s.Links.PagerDuty))},
	}
}

// pagerDutyKeys writes the dedup key of each role, by role.
func pagerDutyKeys(keys map[string]string) string {
	parts := make([]string, 0, len(keys))
	for _, role := range slices.Sorted(maps.Keys(keys)) {
		parts = append(parts, role+" "+keys[role])
	}
	return strings.Join(parts, ", ")
}

// writeImpact prints the impact rows of a SEV, if any.
func writeImpact(w io.Writer, impact []sevbridge.Impact) error {
	if len(impact) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nImpact:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SCOPE\tROUTE\tVALUE\tBELOW\tFOR\tLEVEL")
	for _, i := range impact {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\n", i.Scope, orDash(i.Route), fraction(i.Value), fraction(i.Threshold), i.For, i.Level)
	}
	return tw.Flush()
}

// fraction writes an SLI figure, such as 0.85, as briefly as it is exact.
func fraction(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// writeTimeline prints the timeline of a SEV, in order.
func writeTimeline(w io.Writer, timeline []sevbridge.Entry) error {
	fmt.Fprintln(w, "\nTimeline:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TIME\tKIND\tACTOR\tDETAIL")
	for _, e := range timeline {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", sevTime(e.Time), e.Kind, orDash(e.Actor), e.Detail)
	}
	return tw.Flush()
}
