package main

import "go.yaml.in/yaml/v3"

// SEVConfig is the "sev" section: the SEV bridge, which files, pages and
// tracks SEVs from the availability SLIs and from alerts labelled sev_type
// and sev_level.
type SEVConfig struct {
	// PolicyFile is the SEV policy (policy_file): the SLIs, the level
	// tables, the roles and the SLA targets. A relative path is relative to
	// the directory of the configuration file. Default "": no SEV bridge.
	// The file is read and checked when the server starts and on every
	// reload, with the rule files.
	PolicyFile string
}

// sevSchema maps the keys of the sev section. A relative policy file is
// resolved against dir, the directory of the configuration file.
func sevSchema(d *decoder, c *SEVConfig, dir string) schema {
	return schema{"policy_file": d.path(&c.PolicyFile, dir)}
}

// path decodes a non-empty file path, resolved against dir unless it is
// absolute.
func (d *decoder) path(dst *string, dir string) decodeFunc {
	return func(n *yaml.Node, path string) {
		var p string
		if d.nonEmpty(&p)(n, path); p != "" {
			*dst = resolvePath(dir, p)
		}
	}
}
