package oncalltest

import "time"

// Account is the PagerDuty account a Server serves, in PagerDuty's own
// terms. Lists are served in the order given, as PagerDuty serves them
// sorted by name. The Server reads the Account on every request: do not
// change it while the Server runs.
type Account struct {
	Teams     []Team
	Policies  []Policy
	Schedules []Schedule
	Users     []User
}

// Team is a PagerDuty team.
type Team struct {
	ID, Name string
}

// Policy is an escalation policy.
type Policy struct {
	ID, Name string
	TeamIDs  []string // the owning teams, served as team_reference objects
	NumLoops int
	Rules    []Rule
}

// Rule is an escalation rule (a layer).
type Rule struct {
	ID           string
	DelayMinutes int // escalation_delay_in_minutes
	Targets      []Target
}

// Target types of a Rule, as PagerDuty serves them.
const (
	UserReference     = "user_reference"
	ScheduleReference = "schedule_reference"
)

// Target is one target of a Rule: a user or a schedule, by ID.
type Target struct {
	Type string // UserReference or ScheduleReference
	ID   string
}

// Schedule is an on-call schedule with its final entries (overrides
// applied). The Server clips them to the since/until of a request.
type Schedule struct {
	ID, Name string
	Entries  []Entry // sorted by Start, not overlapping
}

// Entry is one final schedule entry: UserID is on call in [Start, End).
type Entry struct {
	Start, End time.Time
	UserID     string
}

// Contact method types, as PagerDuty names them.
const (
	PhoneContact = "phone_contact_method"
	SMSContact   = "sms_contact_method"
	EmailContact = "email_contact_method"
	PushContact  = "push_notification_contact_method"
)

// User is a PagerDuty user with their contact methods and notification
// rules.
type User struct {
	ID, Name, Email string
	Contacts        []ContactMethod
	Rules           []NotificationRule
}

// ContactMethod is one way to reach a user.
type ContactMethod struct {
	ID      string
	Type    string // PhoneContact, SMSContact, EmailContact or PushContact
	Label   string // e.g. "Mobile", "Work"
	Address string // phone number, e-mail address or device name
}

// NotificationRule tells PagerDuty to use the contact method ContactID
// StartDelayMinutes after a page of Urgency ("high" or "low").
type NotificationRule struct {
	ID                string
	Urgency           string
	StartDelayMinutes int
	ContactID         string
}
