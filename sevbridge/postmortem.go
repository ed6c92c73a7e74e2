package sevbridge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SLIPoint is one SLI reading the runner kept for a SEV, for its postmortem.
type SLIPoint struct {
	Time time.Time
	Reading
}

// Postmortem renders the Markdown postmortem draft of sev: its fields, roles,
// impact, timeline, a summary of the SLI readings taken while it was active
// (points, in time order), and empty sections for contributing factors and
// action items.
func Postmortem(sev *SEV, points []SLIPoint) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Postmortem draft: %s — %s\n\n", sev.ID, mdCell(sev.Title))
	b.WriteString("This draft was written by Vigil; fill in the sections marked to be filled in.\n\n")
	writeSummary(&b, sev)
	writeRoles(&b, sev)
	writeImpact(&b, sev)
	writeTimeline(&b, sev)
	writeSLIFigures(&b, points)
	b.WriteString("## Contributing factors\n\n_To be filled in._\n\n")
	b.WriteString("## Action items\n\n| Action | Owner | Due |\n|---|---|---|\n")
	return []byte(b.String())
}

func writeSummary(b *strings.Builder, sev *SEV) {
	b.WriteString("## Summary\n\n| Field | Value |\n|---|---|\n")
	rows := [][2]string{
		{"ID", sev.ID}, {"Type", string(sev.Type)}, {"Level", fmt.Sprint(int(sev.Level))},
		{"State", string(sev.State)}, {"Routes", strings.Join(sev.Routes, ", ")},
		{"Impact started", mdTime(sev.ImpactStartedAt)}, {"Detected", mdTime(sev.DetectedAt)},
		{"Filed", mdTime(sev.FiledAt)}, {"Detection time", sev.DetectionTime().String()},
		{"Mitigated", mdTimePtr(sev.MitigatedAt)}, {"Resolved", mdTimePtr(sev.ResolvedAt)},
		{"Channel", sev.Links.Channel},
	}
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s |\n", r[0], mdCell(r[1]))
	}
	b.WriteString("\n")
}

func writeRoles(b *strings.Builder, sev *SEV) {
	b.WriteString("## Roles\n\n| Role | Person | PagerDuty dedup key |\n|---|---|---|\n")
	for _, r := range [][2]string{{RoleIMOC, sev.Roles.IMOC}, {RoleTLOC, sev.Roles.TLOC}, {RoleBMOC, sev.Roles.BMOC}} {
		fmt.Fprintf(b, "| %s | %s | %s |\n", strings.ToUpper(r[0]), mdCell(r[1]), mdCell(sev.Links.PagerDuty[r[0]]))
	}
	b.WriteString("\n")
}

func writeImpact(b *strings.Builder, sev *SEV) {
	b.WriteString("## Impact\n\n| Scope | Route | Value | Threshold | For | Level |\n|---|---|---|---|---|---|\n")
	for _, im := range sev.Impact {
		value, threshold, dur := "—", "—", "—"
		if measured(im) {
			value, threshold, dur = percent(im.Value), percent(im.Threshold), im.For.String()
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %d |\n", im.Scope, mdCell(im.Route), value, threshold, dur, im.Level)
	}
	b.WriteString("\n")
}

func writeTimeline(b *strings.Builder, sev *SEV) {
	b.WriteString("## Timeline\n\n| Time (UTC) | Kind | Actor | Detail |\n|---|---|---|---|\n")
	for _, e := range sev.Timeline {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdTime(e.Time), e.Kind, mdCell(e.Actor), mdCell(e.Detail))
	}
	b.WriteString("\n")
}

// measured reports whether im carries an SLI figure (global and route
// impacts do; manual and alert ones do not).
func measured(im Impact) bool { return im.Scope == ScopeGlobal || im.Scope == ScopeRoute }

// writeSLIFigures summarises points per SLI (global first, then routes in
// order of first appearance).
func writeSLIFigures(b *strings.Builder, points []SLIPoint) {
	b.WriteString("## SLI during the incident\n\n")
	if len(points) == 0 {
		b.WriteString("No readings were kept.\n\n")
		return
	}
	b.WriteString("| SLI | Readings | Missing | First | Worst | Worst at | Last |\n|---|---|---|---|---|---|---|\n")
	for _, f := range sliFigures(points) {
		fmt.Fprintf(b, "| %s | %d | %d | %s | %s | %s | %s |\n", mdCell(f.name), f.n, f.missing,
			valueOrDash(f.first, f.n > 0), valueOrDash(f.worst, f.n > 0), worstAt(f), valueOrDash(f.last, f.n > 0))
	}
	fmt.Fprintf(b, "\nFrom %s to %s.\n\n", mdTime(points[0].Time), mdTime(points[len(points)-1].Time))
}

// sliFigure summarises the readings of one SLI; n counts the present ones.
type sliFigure struct {
	name               string
	n, missing         int
	first, worst, last float64
	worstAt            time.Time
}

func sliFigures(points []SLIPoint) []*sliFigure {
	var order []*sliFigure
	byName := map[string]*sliFigure{}
	for _, p := range points {
		name := sliName(p.Reading)
		f := byName[name]
		if f == nil {
			f = &sliFigure{name: name}
			byName[name] = f
			order = append(order, f)
		}
		f.add(p)
	}
	return order
}

func (f *sliFigure) add(p SLIPoint) {
	if p.Missing {
		f.missing++
		return
	}
	if f.n == 0 {
		f.first = p.Value
	}
	if f.n == 0 || p.Value < f.worst {
		f.worst, f.worstAt = p.Value, p.Time
	}
	f.last = p.Value
	f.n++
}

func sliName(r Reading) string {
	if r.Scope == ScopeRoute {
		return "route " + r.Route
	}
	return r.Scope
}

func worstAt(f *sliFigure) string {
	if f.n == 0 {
		return "—"
	}
	return mdTime(f.worstAt)
}

func valueOrDash(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return percent(v)
}

func percent(v float64) string { return fmt.Sprintf("%.2f%%", v*100) }

func mdTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.RFC3339)
}

func mdTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return mdTime(*t)
}

// mdCell makes s safe inside a Markdown table cell.
func mdCell(s string) string {
	if s == "" {
		return "—"
	}
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// WritePostmortem writes data to dir/<id>.md atomically (a temporary file in
// dir, synced, then renamed over the old draft) and returns the path.
func WritePostmortem(dir, id string, data []byte) (path string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create postmortem directory: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+id+".md.tmp*")
	if err != nil {
		return "", fmt.Errorf("create postmortem draft %s: %w", id, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, removeIfExists(f.Name()))
		}
	}()
	if err := writeSyncClose(f, data); err != nil {
		return "", fmt.Errorf("write postmortem draft %s: %w", id, err)
	}
	path = filepath.Join(dir, id+".md")
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("rename postmortem draft %s: %w", id, err)
	}
	return path, nil
}

func writeSyncClose(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func removeIfExists(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove temporary postmortem file: %w", err)
	}
	return nil
}
