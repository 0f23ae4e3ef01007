package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sshconfig "github.com/kevinburke/ssh_config"
)

// SSHConfig says how to reach one node over SSH: the "ssh_config" object of
// a ducktape cluster file, or one Host block of `vagrant ssh-config`. Empty
// fields are taken from ~/.ssh/config for the Host alias, then from
// OpenSSH's defaults.
type SSHConfig struct {
	Host          string   // alias: looked up in ~/.ssh/config; the node's name
	HostName      string   // address to connect to; default: ~/.ssh/config's HostName, else Host
	User          string   // default: ~/.ssh/config's User, else the current user
	Port          int      // default: ~/.ssh/config's Port, else 22
	IdentityFiles []string // private keys; default: ~/.ssh/config's, else ~/.ssh/id_{ed25519,ecdsa,rsa}
	Password      string   // tried after the keys when set
	// KnownHostsFiles are checked for the host key; default:
	// ~/.ssh/config's UserKnownHostsFile, else ~/.ssh/known_hosts.
	KnownHostsFiles []string
	// StrictHostKeyChecking is "yes" (the default: unknown and changed keys
	// are refused), "accept-new" (unknown keys accepted, changed refused) or
	// "no" (no check).
	StrictHostKeyChecking string
	// ProxyJump is OpenSSH's: "[user@]host[:port]" hops separated by commas,
	// each host possibly an alias of ~/.ssh/config.
	ProxyJump string
	// ConnectTimeout bounds connecting and the SSH handshake, per hop, as
	// OpenSSH's ConnectTimeout; default: ~/.ssh/config's, else
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
}

// DefaultConnectTimeout is how long connecting to a node and its SSH
// handshake may take, per hop, unless the node's ConnectTimeout says.
const DefaultConnectTimeout = 15 * time.Second

// sshTarget is a fully resolved SSHConfig: everything needed to dial.
type sshTarget struct {
	name          string // for messages: the alias, or the address
	hostname      string
	port          int
	user          string
	identityFiles []string
	explicitKeys  bool // identityFiles were configured, so a missing one is an error
	password      string
	knownHosts    []string
	strict        string
	timeout       time.Duration // ConnectTimeout, per hop
	jumps         []*sshTarget  // hops, first dialled first
}

func (t *sshTarget) addr() string { return net.JoinHostPort(t.hostname, strconv.Itoa(t.port)) }

// userSSHConfig is the parsed ~/.ssh/config (nil when there is none) and the
// home directory it belongs to.
type userSSHConfig struct {
	home string
	cfg  *sshconfig.Config
}

// loadUserSSHConfig reads ~/.ssh/config. A missing file is no error.
func loadUserSSHConfig() (*userSSHConfig, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	u := &userSSHConfig{home: home}
	path := filepath.Join(home, ".ssh", "config")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if u.cfg, err = sshconfig.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

func (u *userSSHConfig) get(alias, key string) string {
	if u.cfg == nil || alias == "" {
		return ""
	}
	v, _ := u.cfg.Get(alias, key)
	return v
}

func (u *userSSHConfig) getAll(alias, key string) []string {
	if u.cfg == nil || alias == "" {
		return nil
	}
	v, _ := u.cfg.GetAll(alias, key)
	return v
}

// expand resolves "~" and OpenSSH's %d (home), %u (local user), %h
// (hostname), %r (remote user) and %p (port) in a file name.
func (u *userSSHConfig) expand(p string, t *sshTarget) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		p = u.home + p[1:]
	}
	if !strings.Contains(p, "%") {
		return p
	}
	local := ""
	if cu, err := user.Current(); err == nil {
		local = cu.Username
	}
	return strings.NewReplacer("%%", "%", "%d", u.home, "%u", local, "%h", t.hostname, "%r", t.user, "%p", strconv.Itoa(t.port)).Replace(p)
}

// resolve fills the config's gaps from ~/.ssh/config and the defaults.
// inherit, when not nil, is the node a jump host serves: settings the jump
// host lacks are taken from it rather than from the defaults.
func (u *userSSHConfig) resolve(c SSHConfig, inherit *sshTarget) (*sshTarget, error) {
	alias := c.Host
	if alias == "" {
		alias = c.HostName
	}
	t := &sshTarget{name: alias, hostname: c.HostName, user: c.User, port: c.Port, password: c.Password, strict: c.StrictHostKeyChecking}
	if t.hostname == "" {
		t.hostname = u.get(alias, "HostName")
	}
	if t.hostname == "" {
		t.hostname = alias
	}
	if t.hostname == "" {
		return nil, errors.New("no host or hostname")
	}
	if t.user == "" {
		t.user = u.get(alias, "User")
	}
	if t.user == "" && inherit != nil {
		t.user = inherit.user
	}
	if t.user == "" {
		cu, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("no user given and the current user is unknown: %w", err)
		}
		t.user = cu.Username
	}
	if t.port == 0 {
		if p := u.get(alias, "Port"); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("~/.ssh/config: bad Port %q for %s", p, alias)
			}
			t.port = n
		}
	}
	if t.port == 0 {
		t.port = 22
	}
	files := c.IdentityFiles
	if len(files) == 0 {
		files = u.getAll(alias, "IdentityFile")
	}
	t.explicitKeys = len(files) > 0
	switch {
	case len(files) == 0 && inherit != nil:
		t.identityFiles, t.explicitKeys = inherit.identityFiles, inherit.explicitKeys
	case len(files) == 0:
		for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			t.identityFiles = append(t.identityFiles, filepath.Join(u.home, ".ssh", name))
		}
	default:
		for _, f := range files {
			t.identityFiles = append(t.identityFiles, u.expand(f, t))
		}
	}
	if t.password == "" && inherit != nil {
		t.password = inherit.password
	}
	known := c.KnownHostsFiles
	if len(known) == 0 {
		known = strings.Fields(u.get(alias, "UserKnownHostsFile"))
	}
	switch {
	case len(known) == 0 && inherit != nil:
		t.knownHosts = inherit.knownHosts
	case len(known) == 0:
		t.knownHosts = []string{filepath.Join(u.home, ".ssh", "known_hosts")}
	default:
		for _, f := range known {
			t.knownHosts = append(t.knownHosts, u.expand(f, t))
		}
	}
	if t.strict == "" {
		t.strict = strings.ToLower(u.get(alias, "StrictHostKeyChecking"))
	}
	if t.strict == "" && inherit != nil {
		t.strict = inherit.strict
	}
	var err error
	if t.strict, err = normalizeStrict(t.strict); err != nil {
		return nil, err
	}
	if t.timeout, err = u.connectTimeout(c, alias, inherit); err != nil {
		return nil, err
	}
	jump := c.ProxyJump
	if jump == "" {
		jump = u.get(alias, "ProxyJump")
	}
	if jump != "" && !strings.EqualFold(jump, "none") {
		if inherit != nil {
			return nil, fmt.Errorf("jump host %s has a ProxyJump of its own; list every hop in the node's proxyjump instead", alias)
		}
		for _, hop := range strings.Split(jump, ",") {
			hc, err := parseJump(strings.TrimSpace(hop))
			if err != nil {
				return nil, err
			}
			ht, err := u.resolve(hc, t)
			if err != nil {
				return nil, fmt.Errorf("jump host %q: %w", hop, err)
			}
			t.jumps = append(t.jumps, ht)
		}
	}
	return t, nil
}

// connectTimeout resolves the ConnectTimeout of c: its own, else
// ~/.ssh/config's (whole seconds, as OpenSSH reads it), else the node's it
// is a jump host of, else DefaultConnectTimeout.
func (u *userSSHConfig) connectTimeout(c SSHConfig, alias string, inherit *sshTarget) (time.Duration, error) {
	switch v := u.get(alias, "ConnectTimeout"); {
	case c.ConnectTimeout > 0:
		return c.ConnectTimeout, nil
	case v != "":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("~/.ssh/config: bad ConnectTimeout %q for %s: want a whole number of seconds", v, alias)
		}
		return time.Duration(n) * time.Second, nil
	case inherit != nil:
		return inherit.timeout, nil
	}
	return DefaultConnectTimeout, nil
}

// normalizeStrict maps StrictHostKeyChecking values to "yes", "accept-new" or "no".
func normalizeStrict(v string) (string, error) {
	switch strings.ToLower(v) {
	case "", "yes", "ask", "true":
		return "yes", nil
	case "accept-new":
		return "accept-new", nil
	case "no", "off", "false":
		return "no", nil
	}
	return "", fmt.Errorf("stricthostkeychecking %q: want yes, accept-new or no", v)
}

// parseJump parses one ProxyJump hop, "[user@]host[:port]".
func parseJump(hop string) (SSHConfig, error) {
	var c SSHConfig
	if hop == "" {
		return c, errors.New("empty hop in proxyjump")
	}
	if i := strings.LastIndex(hop, "@"); i >= 0 {
		c.User, hop = hop[:i], hop[i+1:]
	}
	if h, p, err := net.SplitHostPort(hop); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("proxyjump: bad port in %q", hop)
		}
		hop, c.Port = h, n
	}
	c.Host = hop
	return c, nil
}
