package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// OpenClusterFile builds an SSH cluster from a ducktape cluster file:
//
//	{"nodes": [{"externally_routable_ip": "10.0.0.11", "node_type": "large", "os": "linux",
//	  "ssh_config": {"host": "worker1", "hostname": "10.0.0.11", "user": "ubuntu", "port": 22,
//	    "identityfile": "~/.ssh/id_ed25519", "password": null}}]}
//
// ssh_config keys are OpenSSH's, lower-case: host, hostname, user, port,
// identityfile (a string or a list), password, userknownhostsfile,
// stricthostkeychecking, proxyjump, connecttimeout (seconds). Other lower-case keys (as `vagrant
// ssh-config` writes them) are ignored; anything else is an error. Errors
// name the file, the node's index and the field.
func OpenClusterFile(path string) (*Cluster, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cluster file: %w", err)
	}
	nodes, err := parseClusterFile(data)
	if err != nil {
		return nil, fmt.Errorf("cluster file %s: %w", path, err)
	}
	return NewSSH(nodes, "cluster file "+path)
}

// parseClusterFile decodes a cluster file's nodes, checking every field.
func parseClusterFile(data []byte) ([]SSHNode, error) {
	var top map[string]json.RawMessage
	if err := strictJSON(data, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	raw, ok := top["nodes"]
	if !ok {
		return nil, fmt.Errorf(`no "nodes" list`)
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf(`"nodes" must be a list of objects`)
	}
	if len(list) == 0 {
		return nil, errNoNodes
	}
	nodes := make([]SSHNode, len(list))
	for i, obj := range list {
		f := fields{obj: obj, where: fmt.Sprintf("nodes[%d]", i)}
		n := &nodes[i]
		n.ExternallyRoutableIP = f.str("externally_routable_ip")
		n.NodeType = f.str("node_type")
		n.OS = f.str("os")
		sc := f.object("ssh_config")
		if f.err == nil && sc == nil {
			f.err = fmt.Errorf("%s: missing ssh_config", f.where)
		}
		f.unknown(func(k string) bool { return false })
		if f.err != nil {
			return nil, f.err
		}
		s := fields{obj: sc, where: f.where + ".ssh_config"}
		n.SSH = SSHConfig{
			Host:                  s.str("host"),
			HostName:              s.str("hostname"),
			User:                  s.str("user"),
			Port:                  s.port("port"),
			IdentityFiles:         s.strs("identityfile"),
			Password:              s.secret("password"),
			KnownHostsFiles:       s.strs("userknownhostsfile"),
			StrictHostKeyChecking: s.str("stricthostkeychecking"),
			ProxyJump:             s.str("proxyjump"),
			ConnectTimeout:        s.seconds("connecttimeout"),
		}
		s.unknown(openSSHKeyword.MatchString)
		if s.err == nil && n.SSH.Host == "" && n.SSH.HostName == "" {
			s.err = fmt.Errorf("%s: needs host or hostname", s.where)
		}
		if s.err == nil {
			if _, err := normalizeStrict(n.SSH.StrictHostKeyChecking); err != nil {
				s.err = fmt.Errorf("%s.%w", s.where, err)
			}
		}
		if s.err != nil {
			return nil, s.err
		}
	}
	return nodes, nil
}

// openSSHKeyword matches the lower-case OpenSSH option names that cluster
// files carry over from `vagrant ssh-config` and that ducktape ignores.
var openSSHKeyword = regexp.MustCompile(`^[a-z]+$`)

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	return nil
}

// fields reads typed fields of one JSON object, keeping the first error,
// which names where.field.
type fields struct {
	obj   map[string]json.RawMessage
	where string
	used  []string
	err   error
}

func (f *fields) get(key string) (json.RawMessage, bool) {
	f.used = append(f.used, key)
	v, ok := f.obj[key]
	if !ok || string(v) == "null" || f.err != nil {
		return nil, false
	}
	return v, true
}

func (f *fields) fail(key, want string, v json.RawMessage) {
	f.err = fmt.Errorf("%s.%s: want %s, got %s", f.where, key, want, v)
}

func (f *fields) str(key string) string { return f.stringField(key, true) }

// secret is str for a password: a value of the wrong type is not quoted
// in the error, which a log or a report may show.
func (f *fields) secret(key string) string { return f.stringField(key, false) }

// stringField reads a string; quote says whether an error may show a value
// of the wrong type.
func (f *fields) stringField(key string, quote bool) string {
	v, ok := f.get(key)
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		if !quote {
			f.err = fmt.Errorf("%s.%s: want a string (the value is not shown: it is a secret)", f.where, key)
			return ""
		}
		f.fail(key, "a string", v)
	}
	return s
}

// strs accepts a string (space-separated for several values) or a list of strings.
func (f *fields) strs(key string) []string {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.Fields(s)
	}
	var l []string
	if err := json.Unmarshal(v, &l); err != nil {
		f.fail(key, "a string or a list of strings", v)
	}
	return l
}

// port accepts a number or a numeric string (vagrant writes "2222").
func (f *fields) port(key string) int {
	v, ok := f.get(key)
	if !ok {
		return 0
	}
	var n float64
	var s string
	if json.Unmarshal(v, &s) == nil {
		p, err := strconv.Atoi(s)
		if err != nil {
			f.fail(key, "a port number from 1 to 65535", v)
			return 0
		}
		n = float64(p)
	} else if err := json.Unmarshal(v, &n); err != nil {
		f.fail(key, "a port number from 1 to 65535", v)
		return 0
	}
	if n != math.Trunc(n) || n < 1 || n > 65535 {
		f.fail(key, "a port number from 1 to 65535", v)
		return 0
	}
	return int(n)
}

// seconds accepts a positive number of seconds, or such a number as a
// string (as ssh_config writes it).
func (f *fields) seconds(key string) time.Duration {
	v, ok := f.get(key)
	if !ok {
		return 0
	}
	var n float64
	var s string
	if json.Unmarshal(v, &s) == nil {
		var err error
		if n, err = strconv.ParseFloat(s, 64); err != nil {
			n = -1
		}
	} else if json.Unmarshal(v, &n) != nil {
		n = -1
	}
	if !(n > 0 && n <= math.MaxInt32) {
		f.fail(key, "a positive number of seconds", v)
		return 0
	}
	return time.Duration(n * float64(time.Second))
}

func (f *fields) object(key string) map[string]json.RawMessage {
	v, ok := f.get(key)
	if !ok {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		f.fail(key, "an object", v)
	}
	return m
}

// unknown fails on a key not read and not allowed by ignore.
func (f *fields) unknown(ignore func(string) bool) {
	if f.err != nil {
		return
	}
	var extra []string
	for k := range f.obj {
		if !slices.Contains(f.used, k) && !ignore(k) {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		f.err = fmt.Errorf("%s.%s: unknown field", f.where, extra[0])
	}
}
