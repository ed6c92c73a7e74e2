package oncall

// Check names: stable, used in metrics, JSON and the command's output.
const (
	CheckLayers       = "layers"
	CheckLayerDelay   = "layer_delay"
	CheckChainDelay   = "chain_delay"
	CheckNotification = "notification"
	CheckCoverage     = "coverage"
	CheckLoops        = "loops"
)

// Report is the result of checking a Snapshot against the standards.
type Report struct {
	// Checked is the number of policies a standard applied to.
	Checked int `json:"checked"`
	// Violations are sorted by policy name, then check, then detail.
	Violations []Violation `json:"violations"`
}

// Violation is one way one escalation policy misses its standard.
type Violation struct {
	PolicyID string `json:"policy_id"`
	Policy   string `json:"policy"`
	Team     string `json:"team"` // the policy's first team's name; "" when it has none
	Standard string `json:"standard"`
	Check    string `json:"check"`
	Detail   string `json:"detail"` // in words a team lead understands
}
