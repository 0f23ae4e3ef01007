package docker

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The default node image is made of the driver's own installed Debian
// packages (no registry is needed): a recipe names the packages, and their
// dependency closure among the installed packages gives the files. This
// file reads dpkg's database; it does not run dpkg.

// dpkgDB is the part of dpkg's database the image recipe needs.
type dpkgDB struct {
	root     string                  // "/" on the driver; a fixture directory in tests
	packages map[string]*dpkgPackage // installed packages by name
	provides map[string][]string     // virtual package -> installed packages providing it
}

// dpkgPackage is one installed package.
type dpkgPackage struct {
	Name, Version, Arch string
	// Depends lists Pre-Depends and Depends: each entry is a set of
	// alternatives (a | b), names only (versions and arch qualifiers are
	// dropped: only installed packages are considered).
	Depends [][]string
}

// readDpkgDB parses root/var/lib/dpkg/status, keeping installed packages.
func readDpkgDB(root string) (*dpkgDB, error) {
	f, err := os.Open(filepath.Join(root, "var/lib/dpkg/status"))
	if err != nil {
		return nil, fmt.Errorf("reading the driver's package database (the default docker image is built from the driver's installed Debian packages; use --docker-image on other systems): %w", err)
	}
	defer f.Close()
	return parseDpkgStatus(root, f)
}

// parseDpkgStatus parses a dpkg status file (RFC 822-like stanzas).
func parseDpkgStatus(root string, r io.Reader) (*dpkgDB, error) {
	db := &dpkgDB{root: root, packages: map[string]*dpkgPackage{}, provides: map[string][]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	fields := map[string]string{}
	last := ""
	flush := func() {
		if fields["Package"] != "" && strings.HasSuffix(fields["Status"], " installed") {
			p := &dpkgPackage{Name: fields["Package"], Version: fields["Version"], Arch: fields["Architecture"]}
			p.Depends = append(parseDepends(fields["Pre-Depends"]), parseDepends(fields["Depends"])...)
			db.packages[p.Name] = p
			for _, alt := range parseDepends(fields["Provides"]) {
				for _, v := range alt {
					db.provides[v] = append(db.provides[v], p.Name)
				}
			}
		}
		fields = map[string]string{}
		last = ""
	}
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if last != "" {
				fields[last] += "\n" + line
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return nil, fmt.Errorf("dpkg status: malformed line %q", line)
			}
			last = k
			fields[k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("dpkg status: %w", err)
	}
	flush()
	return db, nil
}

// parseDepends parses a Depends-style field into alternatives of names.
func parseDepends(field string) [][]string {
	var out [][]string
	for _, entry := range strings.Split(field, ",") {
		var alts []string
		for _, alt := range strings.Split(entry, "|") {
			name := strings.TrimSpace(alt)
			if i := strings.IndexAny(name, " (["); i >= 0 {
				name = name[:i]
			}
			name, _, _ = strings.Cut(name, ":") // arch qualifier (foo:any)
			if name != "" {
				alts = append(alts, name)
			}
		}
		if len(alts) > 0 {
			out = append(out, alts)
		}
	}
	return out
}

// resolve returns the installed package that satisfies name (itself, or a
// provider of the virtual package), or "".
func (db *dpkgDB) resolve(name string) string {
	if _, ok := db.packages[name]; ok {
		return name
	}
	if ps := db.provides[name]; len(ps) > 0 {
		s := append([]string(nil), ps...)
		sort.Strings(s)
		return s[0]
	}
	return ""
}

// closure returns the installed packages needed by roots, sorted by name:
// each root that is installed, and recursively the first installed
// alternative of each dependency. substitute replaces a dependency before
// it is resolved (a headless package for a desktop one); a dependency that
// nothing installed satisfies is skipped, as are roots that are not
// installed (the recipe's optional software). required roots that are
// missing are an error.
func (db *dpkgDB) closure(required, optional []string, substitute func(string) string) ([]*dpkgPackage, error) {
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		for _, alts := range db.packages[name].Depends {
			for _, alt := range alts {
				if got := db.resolve(substitute(alt)); got != "" {
					visit(got)
					break
				}
			}
		}
	}
	var missing []string
	for _, r := range required {
		if got := db.resolve(r); got != "" {
			visit(got)
		} else {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the default docker image needs these Debian packages on the driver: %s (install them with apt-get, or pass --docker-image)", strings.Join(missing, " "))
	}
	for _, r := range optional {
		if got := db.resolve(r); got != "" {
			visit(got)
		}
	}
	out := make([]*dpkgPackage, 0, len(seen))
	for name := range seen {
		out = append(out, db.packages[name])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// files returns the paths dpkg lists for p (files, directories and links,
// as installed), from its .list file.
func (db *dpkgDB) files(p *dpkgPackage) ([]string, error) {
	info := filepath.Join(db.root, "var/lib/dpkg/info")
	data, err := os.ReadFile(filepath.Join(info, p.Name+":"+p.Arch+".list"))
	if os.IsNotExist(err) {
		data, err = os.ReadFile(filepath.Join(info, p.Name+".list"))
	}
	if err != nil {
		return nil, fmt.Errorf("files of package %s: %w", p.Name, err)
	}
	var out []string
	for _, line := range bytes.Split(data, []byte("\n")) {
		if s := string(bytes.TrimSpace(line)); s != "" && s != "/." {
			out = append(out, s)
		}
	}
	return out, nil
}

// alternativeLinks returns the links update-alternatives made (/usr/bin/java,
// /usr/sbin/iptables, ...): no package lists them, yet commands resolve
// through them. They come from the alternatives database: per alternative,
// a mode line, the master link, then pairs of slave name and slave link up
// to an empty line.
func (db *dpkgDB) alternativeLinks() []string {
	dir := filepath.Join(db.root, "var/lib/dpkg/alternatives")
	entries, _ := os.ReadDir(dir)
	var links []string
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		lines := strings.Split(string(data), "\n")
		if len(lines) < 2 {
			continue
		}
		links = append(links, lines[1])
		for i := 3; i < len(lines) && lines[i-1] != ""; i += 2 {
			links = append(links, lines[i])
		}
	}
	return links
}
