package oncalltest

import (
	"fmt"
	"net/http"
)

// userJSON is a user as GET /users lists it. ContactMethods and
// NotificationRules hold references unless the request includes them
// (include[]=contact_methods, include[]=notification_rules).
type userJSON struct {
	object
	Name              string   `json:"name"`
	Email             string   `json:"email"`
	TimeZone          string   `json:"time_zone"`
	Color             string   `json:"color"`
	Role              string   `json:"role"`
	AvatarURL         string   `json:"avatar_url"`
	Description       string   `json:"description"`
	InvitationSent    bool     `json:"invitation_sent"`
	JobTitle          string   `json:"job_title"`
	Teams             []object `json:"teams"`
	ContactMethods    []any    `json:"contact_methods"`
	NotificationRules []any    `json:"notification_rules"`
}

// contactJSON is a full contact method.
type contactJSON struct {
	object
	Label       string `json:"label"`
	Address     string `json:"address"`
	CountryCode int    `json:"country_code,omitempty"`
	Blacklisted bool   `json:"blacklisted"`
}

// notificationRuleJSON is a full notification rule.
type notificationRuleJSON struct {
	object
	StartDelayInMinutes int    `json:"start_delay_in_minutes"`
	CreatedAt           string `json:"created_at"`
	ContactMethod       any    `json:"contact_method"`
	Urgency             string `json:"urgency"`
}

// listUsers serves GET /users.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	p, ok := s.parsePage(w, r)
	if !ok {
		return
	}
	lo, hi, _ := p.bounds(len(s.acct.Users))
	users := []userJSON{}
	for _, u := range s.acct.Users[lo:hi] {
		users = append(users, s.userJSON(u, includes(r, "contact_methods"), includes(r, "notification_rules")))
	}
	writeJSON(w, http.StatusOK, struct {
		Users []userJSON `json:"users"`
		listBody
	}{users, p.body(len(s.acct.Users))})
}

func (s *Server) userJSON(u User, fullContacts, fullRules bool) userJSON {
	out := userJSON{
		object:            s.object("users", "user", u.ID, u.Name, true),
		Name:              u.Name,
		Email:             u.Email,
		TimeZone:          "Etc/UTC",
		Color:             "purple",
		Role:              "user",
		AvatarURL:         "https://secure.gravatar.com/avatar/" + u.ID + ".png?d=mm&r=PG",
		Teams:             []object{},
		ContactMethods:    []any{},
		NotificationRules: []any{},
	}
	for _, c := range u.Contacts {
		out.ContactMethods = append(out.ContactMethods, s.contactJSON(u, c, fullContacts))
	}
	for _, nr := range u.Rules {
		out.NotificationRules = append(out.NotificationRules, s.notificationRuleJSON(u, nr, fullContacts, fullRules))
	}
	return out
}

// contactJSON is a contact method, full or as a reference.
func (s *Server) contactJSON(u User, c ContactMethod, full bool) any {
	coll := "users/" + u.ID + "/contact_methods"
	if !full {
		return s.object(coll, c.Type+"_reference", c.ID, c.Label, false)
	}
	out := contactJSON{object: s.object(coll, c.Type, c.ID, c.Label, false), Label: c.Label, Address: c.Address}
	if c.Type == PhoneContact || c.Type == SMSContact {
		out.CountryCode = 1
	}
	return out
}

// notificationRuleJSON is a notification rule, full or as a reference.
func (s *Server) notificationRuleJSON(u User, nr NotificationRule, fullContacts, full bool) any {
	coll := "users/" + u.ID + "/notification_rules"
	summary := fmt.Sprintf("%d minutes: channel %s", nr.StartDelayMinutes, nr.ContactID)
	if !full {
		return s.object(coll, "assignment_notification_rule_reference", nr.ID, summary, false)
	}
	c := ContactMethod{ID: nr.ContactID}
	for _, uc := range u.Contacts {
		if uc.ID == nr.ContactID {
			c = uc
		}
	}
	return notificationRuleJSON{
		object:              s.object(coll, "assignment_notification_rule", nr.ID, summary, false),
		StartDelayInMinutes: nr.StartDelayMinutes,
		CreatedAt:           "2024-03-11T09:12:44Z",
		ContactMethod:       s.contactJSON(u, c, fullContacts),
		Urgency:             nr.Urgency,
	}
}
