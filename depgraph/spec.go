package depgraph

// Dependency is one entry of an alerting rule's depends_on list: either one
// alert (Alert) or a group of alternatives that explains the dependent only
// when every one of them fires (AllOf), restricted to causes whose Match
// labels equal the dependent's.
type Dependency struct {
	// Alert names the one alert this dependency points at; empty when AllOf is set.
	Alert string
	// AllOf names alternatives that must all fire (with matching labels).
	AllOf []string
	// Match lists the labels that must be equal between the dependent
	// instance and the cause instance. Empty: any instance matches.
	Match []string
	// File and Line locate the declaration, for error messages.
	File string
	Line int
}

// AlertSpec declares one alerting rule's node: its name, its dependencies and
// its static service memberships. Several specs may share a name (Prometheus
// allows one alert name in several rules); Build merges them into one node.
type AlertSpec struct {
	// Name is the alert name (the rule's `alert:`).
	Name string
	// DependsOn lists the rule's depends_on entries.
	DependsOn []Dependency
	// IgnoreServiceDependencies opts the rule out of its services'
	// dependencies; its own DependsOn still applies.
	IgnoreServiceDependencies bool
	// Services names services the rule belongs to, besides those whose
	// `alerts:` list names it (Build combines both) and the one named by an
	// instance's service label (decided per instance). Give the value of the
	// rule's static service label here (`labels: {service: web}`): an alert
	// in the middle of a path, which need not fire, counts as a member only
	// of the services known statically, and cycles through it are caught.
	Services []string
	// File and Line locate the rule, for error messages.
	File string
	Line int
}

// ServiceDependency is one entry of a service's depends_on list.
type ServiceDependency struct {
	// Service names the service depended on.
	Service string
	// Match lists labels that must be equal between dependent and cause.
	Match []string
	// File and Line locate the declaration.
	File string
	Line int
}

// Service is one service of a services file.
type Service struct {
	// Name is the service's name, the value of the service label of its alerts.
	Name string
	// DependsOn lists the services this one calls.
	DependsOn []ServiceDependency
	// Alerts names rules that belong to the service (besides those whose
	// instances carry the service label).
	Alerts []string
	// File and Line locate the declaration.
	File string
	Line int

	alertLines []int // line of each Alerts entry, when parsed by ParseServices
}

// Services is the content of one services file.
type Services struct {
	// ServiceLabel is the alert label naming an instance's service; "" means
	// DefaultServiceLabel.
	ServiceLabel string
	// Services lists the services the file declares.
	Services []Service
}

// DefaultServiceLabel is the label naming an alert instance's service when a
// services file does not set service_label.
const DefaultServiceLabel = "service"
