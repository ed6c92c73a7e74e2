package oncall

import "time"

// Snapshot is PagerDuty's on-call set-up as read at one moment: what the
// checks look at. It holds only what the checks need, in PagerDuty's terms.
type Snapshot struct {
	// Taken is when the reading started; coverage windows start here.
	Taken time.Time
	// Policies are every escalation policy of the account, in the order
	// PagerDuty lists them.
	Policies []Policy
	// Schedules are the schedules the policies page, by ID, rendered over
	// [Taken, Taken+window) for the widest coverage window of the standards.
	Schedules map[string]Schedule
	// Users are every user a policy can reach (directly or on its
	// schedules), by ID.
	Users map[string]User
}

// Policy is one escalation policy.
type Policy struct {
	ID    string
	Name  string
	Teams []Ref // the teams owning the policy; may be empty
	// Rules are the escalation rules (layers) in order; the first is
	// notified at once, each next one after the previous rule's Delay.
	Rules []Rule
	// NumLoops is how many times the policy repeats after its last layer.
	NumLoops int
}

// Ref names a PagerDuty object: its ID and its name (summary).
type Ref struct {
	ID   string
	Name string
}

// Rule is one escalation rule: who is notified, and how long PagerDuty
// waits for an acknowledgement before escalating to the next rule
// (escalation_delay_in_minutes).
type Rule struct {
	Delay   time.Duration
	Targets []Target
}

// Target types of a Rule.
const (
	TargetUser     = "user"
	TargetSchedule = "schedule"
)

// Target is one target of a rule: a user or a schedule.
type Target struct {
	Type string // TargetUser or TargetSchedule
	Ref
}

// Schedule is one on-call schedule, with its final (rendered) entries over
// the snapshot's window: who is on call when, overrides included.
type Schedule struct {
	Ref
	// Entries are the final schedule's entries, sorted by Start; a time no
	// entry covers is a gap: nobody is paged.
	Entries []Shift
	// Until is the end of the window the entries were rendered over.
	Until time.Time
}

// Shift is one entry of a rendered schedule.
type Shift struct {
	Start, End time.Time
	User       Ref
}

// Contact method types, as the standards name them.
const (
	ContactPush  = "push"
	ContactSMS   = "sms"
	ContactPhone = "phone"
	ContactEmail = "email"
)

// User is a responder with the rules PagerDuty follows to notify them.
type User struct {
	Ref
	Email string
	Rules []NotificationRule
}

// NotificationRule is one of a user's notification rules: after StartDelay
// from being paged at Urgency ("high" or "low"), contact them by Contact
// (ContactPush, ContactSMS, ContactPhone or ContactEmail).
type NotificationRule struct {
	Urgency    string
	StartDelay time.Duration
	Contact    string
}
