package alerting

import (
	"fmt"
	"slices"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/vigilsre/vigil/depgraph"
)

// StateResolved is Notification.State of a resolved alert.
const StateResolved = "resolved"

// Notification is what evaluation hands to delivery.
type Notification struct {
	Labels       labels.Labels
	Annotations  labels.Labels
	StartsAt     time.Time // when it started firing
	EndsAt       time.Time // zero while firing; when it resolved
	Value        float64
	GeneratorURL string // link back to Vigil: ExternalURL + /api/v1/query?query=<expr>
	// State is "firing", "unknown" (firing, its input data missing) or
	// "resolved" (StateResolved).
	State string
	// Suppressed is set when a firing cause explains the alert: it must
	// not page (see the package doc). A resolve carries the alert's last
	// decision.
	Suppressed bool
	// CausedBy lists the causes of a suppressed alert, root causes first,
	// each as depgraph.Instance.String writes it:
	// AlertName{label="value", ...} (its labels but alertname, in label
	// order); nil when not suppressed.
	CausedBy []string
}

// Resolved reports whether the notification is a resolve (EndsAt is set).
func (n Notification) Resolved() bool { return !n.EndsAt.IsZero() }

// Notifier receives, after every evaluation of a group, every alert of that
// group that is firing (or unknown, which still counts as firing) and not
// held, and every alert that resolved in that evaluation. It decides what
// to actually send (new → trigger, repeat after repeat_interval, resolved
// → resolve; a suppressed alert never triggers). It must not block: it
// queues and returns. ns is not used by the caller after Notify returns.
type Notifier interface {
	Notify(ns []Notification)
}

// DedupKey returns the key that identifies the alert with label set ls to a
// paging system: "vigil-" and the 16 hex digits of the xxhash of the sorted
// label set (names and values separated by 0xff bytes, as labels.Labels.Hash
// does). It is stable across replicas and restarts.
func DedupKey(ls labels.Labels) string {
	return fmt.Sprintf("vigil-%016x", labelsHash(ls))
}

// labelsHash is the xxhash of ls, each name and value followed by 0xff.
func labelsHash(ls labels.Labels) uint64 {
	h := xxhash.New()
	sep := []byte{0xff}
	ls.Range(func(l labels.Label) {
		_, _ = h.WriteString(l.Name)
		_, _ = h.Write(sep)
		_, _ = h.WriteString(l.Value)
		_, _ = h.Write(sep)
	})
	return h.Sum64()
}

// causedBy formats the causes of explanations, root causes first as
// depgraph orders them, each once.
func causedBy(by []depgraph.Explanation) []string {
	out := make([]string, 0, len(by))
	for _, e := range by {
		if c := e.Cause.String(); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}
