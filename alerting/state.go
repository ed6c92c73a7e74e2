package alerting

// State of an alert instance.
type State int

// The states of an alert, in order of severity (StateUnknown counts as firing
// for notification and for RuleStatus.State).
const (
	StateInactive State = iota // resolved or never active
	StatePending               // condition holds, for: not yet elapsed
	StateFiring                // condition held for `for`; pages
	StateUnknown               // was firing; its input data went missing; held, not resolved
)

// String returns "inactive", "pending", "firing" or "unknown", the names the
// API and the alertstate label of ALERTS use.
func (s State) String() string {
	switch s {
	case StateInactive:
		return "inactive"
	case StatePending:
		return "pending"
	case StateFiring:
		return "firing"
	case StateUnknown:
		return "unknown"
	}
	return "invalid"
}
