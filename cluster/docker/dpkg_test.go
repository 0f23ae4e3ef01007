package docker

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const statusFixture = `Package: app
Status: install ok installed
Version: 1.0
Architecture: amd64
Depends: libfoo (>= 2), java-runtime | default-jre, missing-pkg
Description: an app
 with a long
 description

Package: libfoo
Status: install ok installed
Version: 2.1
Architecture: amd64
Pre-Depends: libc6:any

Package: libc6
Status: install ok installed
Version: 2.36
Architecture: amd64

Package: openjdk-17-jre-headless
Status: install ok installed
Version: 17
Architecture: amd64
Provides: java-runtime-headless, java-runtime

Package: default-jre
Status: install ok installed
Version: 2
Architecture: amd64
Depends: openjdk-17-jre, libgtk

Package: libgtk
Status: install ok installed
Version: 3
Architecture: amd64

Package: removed
Status: deinstall ok config-files
Version: 1
Architecture: amd64
`

func TestDpkgClosure(t *testing.T) {
	db, err := parseDpkgStatus("/", strings.NewReader(statusFixture))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := db.packages["removed"]; ok {
		t.Error("a package that is not installed was kept")
	}
	got, err := db.closure([]string{"app"}, []string{"not-installed-optional"}, headless)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, p.Name)
	}
	// java-runtime is provided by the headless JRE, so the desktop one and
	// its GUI library stay out; missing dependencies are skipped.
	if want := []string{"app", "libc6", "libfoo", "openjdk-17-jre-headless"}; !reflect.DeepEqual(names, want) {
		t.Errorf("closure = %v, want %v", names, want)
	}
	if _, err := db.closure([]string{"app", "nope"}, nil, headless); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a missing required package: %v", err)
	}
}

func TestHeadless(t *testing.T) {
	for in, want := range map[string]string{"default-jre": "default-jre-headless", "openjdk-21-jre": "openjdk-21-jre-headless", "openjdk-17-jre-headless": "openjdk-17-jre-headless", "jre": "jre"} {
		if got := headless(in); got != want {
			t.Errorf("headless(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAlternativeLinks(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "var/lib/dpkg/alternatives")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "iptables"), []byte("auto\n/usr/sbin/iptables\niptables-save\n/usr/sbin/iptables-save\n\n/usr/sbin/iptables-nft\n20\n/usr/sbin/iptables-nft-save\n"), 0o644)
	db := &dpkgDB{root: root}
	if got, want := db.alternativeLinks(), []string{"/usr/sbin/iptables", "/usr/sbin/iptables-save"}; !reflect.DeepEqual(got, want) {
		t.Errorf("alternativeLinks = %v, want %v", got, want)
	}
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add(statusFixture)
	f.Add("Package: x\nStatus: install ok installed\nDepends: a | b (>= 1), c:any [amd64]\n")
	f.Add(" continuation first\n")
	f.Fuzz(func(t *testing.T, s string) {
		db, err := parseDpkgStatus("/", strings.NewReader(s))
		if err == nil {
			db.closure(nil, []string{"x", "a"}, headless)
		}
	})
}
