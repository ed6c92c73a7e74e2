package oncalltest

import "fmt"

// fixtureUsers are the fixture's users, by name.
func fixtureUsers() []User {
	return []User{
		person(anaLima, "Ana Lima", "ana@example.com", EmailContact).
			notify("high", 0, EmailContact).notify("low", 0, EmailContact),
		person(jonasBerg, "Jonas Berg", "jonas.berg@example.com", PushContact, PhoneContact, EmailContact).
			notify("high", 0, PushContact).notify("high", 5, PhoneContact).notify("low", 0, EmailContact),
		person(kimWeiss, "Kim Weiss", "kim.weiss@example.com", PushContact, PhoneContact).
			notify("high", 0, PushContact).notify("high", 0, PhoneContact),
		person(leaNovak, "Lea Novak", "lea.novak@example.com", PushContact, PhoneContact).
			notify("high", 0, PushContact).notify("high", 0, PhoneContact).notify("low", 0, PushContact),
		person(mayaChen, "Maya Chen", "maya.chen@example.com", PushContact, PhoneContact, SMSContact, EmailContact).
			notify("high", 0, PushContact).notify("high", 0, PhoneContact).notify("high", 2, SMSContact).
			notify("low", 0, EmailContact),
		person(omarHaddad, "Omar Haddad", "omar.haddad@example.com", PushContact, PhoneContact, EmailContact).
			notify("high", 0, PushContact).notify("high", 0, PhoneContact).notify("low", 0, EmailContact),
		person(raviPatel, "Ravi Patel", "ravi.patel@example.com", PushContact, PhoneContact, EmailContact).
			notify("high", 0, PushContact).notify("high", 0, PhoneContact).notify("high", 5, EmailContact).
			notify("low", 0, EmailContact),
		person(sofiaRossi, "Sofia Rossi", "sofia.rossi@example.com", PushContact, SMSContact).
			notify("high", 0, PushContact).notify("high", 0, SMSContact).notify("low", 0, PushContact),
	}
}

// person builds a user with one contact method of each type given,
// numbered from the user's ID.
func person(id, name, email string, types ...string) User {
	u := User{ID: id, Name: name, Email: email}
	for i, typ := range types {
		c := ContactMethod{ID: fmt.Sprintf("PC%s%d", id[2:], i+1), Type: typ}
		switch typ {
		case EmailContact:
			c.Label, c.Address = "Work", email
		case PushContact:
			c.Label, c.Address = "iPhone", name+"'s iPhone"
		default:
			c.Label, c.Address = "Mobile", fmt.Sprintf("55555501%02d", i+1)
		}
		u.Contacts = append(u.Contacts, c)
	}
	return u
}

// notify adds a notification rule using the user's contact method of typ.
func (u User) notify(urgency string, delayMinutes int, typ string) User {
	var contact string
	for _, c := range u.Contacts {
		if c.Type == typ {
			contact = c.ID
		}
	}
	id := fmt.Sprintf("PN%s%d", u.ID[2:], len(u.Rules)+1)
	u.Rules = append(u.Rules, NotificationRule{ID: id, Urgency: urgency, StartDelayMinutes: delayMinutes, ContactID: contact})
	return u
}
