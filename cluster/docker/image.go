package docker

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// The default image: the driver's own installed Debian packages, so it
// builds with no registry, and nodes run the same software versions as
// the driver. The recipe is below; what goes in is hashed into the tag, so
// an image is built once per recipe and set of package versions.

// recipeVersion changes whenever the recipe below changes what an image
// holds for the same packages.
const recipeVersion = "ducktape-node/1"

// imageRepository is the default image's name; its tag is a content hash.
const imageRepository = "ducktape-node"

var (
	// basePackages are what nodes, services and faults need; the driver
	// must have them (Debian's openssh-server, iproute2, iptables, procps).
	basePackages = []string{"dash", "libc-bin", "coreutils", "procps", "iproute2", "iptables", "openssh-server", "grep", "sed", "findutils", "tar", "gzip"}
	// softwarePackages go in when the driver has them installed: common
	// tools and the software the examples run.
	softwarePackages = []string{"bash", "util-linux", "hostname", "netbase", "iputils-ping", "netcat-openbsd", "curl",
		"redis-server", "redis-tools", "etcd-server", "etcd-client", "zookeeper",
		"postgresql", "mariadb-server", "nginx-light"}
	// desktopJRE matches the Java runtimes that pull in a desktop; nodes
	// get their headless variant.
	desktopJRE = regexp.MustCompile(`^(default|openjdk-\d+)-jre$`)
)

// headless substitutes headless Java runtimes for desktop ones.
func headless(pkg string) string {
	if desktopJRE.MatchString(pkg) {
		return pkg + "-headless"
	}
	return pkg
}

// generatedFiles are the image's files that no package owns: the user
// database (root, sshd's privilege-separation user, and postgres, which
// examples/postgres runs PostgreSQL as where nodes log in as root), name service
// configuration and the directories sshd and services expect.
var generatedFiles = []imageFile{
	{path: "etc/passwd", mode: 0o644, data: "root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\npostgres:x:101:101::/var/lib/postgresql:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"},
	{path: "etc/group", mode: 0o644, data: "root:x:0:\npostgres:x:101:\nnogroup:x:65534:\n"},
	{path: "etc/shadow", mode: 0o640, data: "root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\npostgres:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"},
	{path: "etc/nsswitch.conf", mode: 0o644, data: "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n"},
	{path: "root", mode: fs.ModeDir | 0o700},
	{path: "tmp", mode: fs.ModeDir | fs.ModeSticky | 0o777},
	{path: "var/tmp", mode: fs.ModeDir | fs.ModeSticky | 0o777},
	{path: "run/sshd", mode: fs.ModeDir | 0o755},
	{path: "etc/ducktape", mode: fs.ModeDir | 0o755},
	{path: "var/run", mode: fs.ModeSymlink | 0o777, data: "/run"},
}

// hostFiles are copied from the driver as they are when present: the
// alternatives links (java, iptables and others resolve through them) and
// the dynamic linker's cache.
var hostFiles = []string{"etc/alternatives", "etc/ld.so.cache", "etc/ld.so.conf", "etc/ld.so.conf.d"}

// imageFile is one file of the image that no package provides.
type imageFile struct {
	path string // relative to the root
	mode fs.FileMode
	data string // contents, or the target of a symlink
}

// recipe is the default image for one set of packages.
type recipe struct {
	db       *dpkgDB
	packages []*dpkgPackage
	tag      string // imageRepository:hash
}

// defaultRecipe resolves the default image's packages on the driver
// (root "/") plus extra ones the user asked for (which must be installed).
func defaultRecipe(root string, extra []string) (*recipe, error) {
	db, err := readDpkgDB(root)
	if err != nil {
		return nil, err
	}
	required := append(append([]string(nil), basePackages...), extra...)
	pkgs, err := db.closure(required, softwarePackages, headless)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	fmt.Fprintln(h, recipeVersion)
	for _, p := range pkgs {
		fmt.Fprintf(h, "%s %s %s\n", p.Name, p.Version, p.Arch)
	}
	for _, f := range generatedFiles {
		fmt.Fprintf(h, "%s %o %q\n", f.path, f.mode, f.data)
	}
	return &recipe{db: db, packages: pkgs, tag: imageRepository + ":" + hex.EncodeToString(h.Sum(nil))[:16]}, nil
}

// paths returns every path of the image's packages, alternatives links and
// host files, as
// found on the driver: a path under a symlinked directory (/bin on a
// merged-/usr system) becomes its real path, and the link itself is kept
// where a package lists it. Sorted, so parents come before children.
func (r *recipe) paths() ([]string, error) {
	set := map[string]bool{}
	add := func(p string) {
		dir, base := path.Split(strings.TrimSuffix(p, "/"))
		if real, err := filepath.EvalSymlinks(filepath.Join(r.db.root, dir)); err == nil {
			if rel, err := filepath.Rel(r.db.root, real); err == nil {
				p = path.Join("/", filepath.ToSlash(rel), base)
			}
		}
		set[strings.TrimPrefix(p, "/")] = true
	}
	for _, pkg := range r.packages {
		files, err := r.db.files(pkg)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			add(f)
		}
	}
	for _, l := range r.db.alternativeLinks() {
		add(l)
	}
	for _, hf := range hostFiles {
		filepath.WalkDir(filepath.Join(r.db.root, hf), func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				rel, _ := filepath.Rel(r.db.root, p)
				add("/" + filepath.ToSlash(rel))
			}
			return nil
		})
	}
	out := make([]string, 0, len(set))
	for p := range set {
		if p != "" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// writeTar writes the image's root file system as a tar stream: the
// packages' files as they are on the driver, then the generated files.
// Paths that vanished or are not files, directories or links are skipped;
// a generated file replaces the driver's.
func (r *recipe) writeTar(w io.Writer) error {
	paths, err := r.paths()
	if err != nil {
		return err
	}
	generated := map[string]bool{}
	for _, f := range generatedFiles {
		generated[f.path] = true
	}
	tw := tar.NewWriter(w)
	for _, p := range paths {
		if generated[p] {
			continue // the image has its own (an engine refuses duplicate paths)
		}
		if err := addHostPath(tw, r.db.root, p); err != nil {
			return err
		}
	}
	for _, f := range generatedFiles {
		hdr := &tar.Header{Name: f.path, Mode: int64(f.mode.Perm()) | stickyBit(f.mode)}
		switch {
		case f.mode&fs.ModeDir != 0:
			hdr.Typeflag, hdr.Name = tar.TypeDir, f.path+"/"
		case f.mode&fs.ModeSymlink != 0:
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, f.data
		default:
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := io.WriteString(tw, f.data); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

// stickyBit is tar's sticky bit (c_ISVTX) for mode.
func stickyBit(mode fs.FileMode) int64 {
	if mode&fs.ModeSticky != 0 {
		return 0o1000
	}
	return 0
}

// addHostPath writes the driver's file root/p into tw.
func addHostPath(tw *tar.Writer, root, p string) error {
	full := filepath.Join(root, p)
	info, err := os.Lstat(full)
	if err != nil {
		return nil // listed by dpkg but gone (a removed conffile)
	}
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(full); err != nil {
			return nil
		}
	} else if !info.Mode().IsRegular() && !info.IsDir() {
		return nil
	}
	hdr, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return fmt.Errorf("image file %s: %w", full, err)
	}
	hdr.Name = p
	if info.IsDir() {
		hdr.Name += "/"
	}
	hdr.Uname, hdr.Gname = "", ""
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	f, err := os.Open(full)
	if err != nil {
		return fmt.Errorf("image file %s: %w", full, err)
	}
	defer f.Close()
	if _, err := io.CopyN(tw, f, hdr.Size); err != nil {
		return fmt.Errorf("image file %s: %w", full, err)
	}
	return nil
}

// ensureImage returns the image nodes run: opts.Image, which must exist on
// the engine (ducktape never pulls), or the default image, built now from
// the driver's packages unless the engine has it already.
func ensureImage(ctx context.Context, e *engine, opts Options, log io.Writer) (string, error) {
	if opts.Image != "" {
		if len(opts.Packages) > 0 {
			return "", errors.New("--docker-packages adds packages to the default image; it cannot be combined with --docker-image")
		}
		if _, err := e.cli.ImageInspect(ctx, opts.Image); err != nil {
			if cerrdefs.IsNotFound(err) {
				return "", fmt.Errorf("--docker-image %s: the engine at %s has no such image, and ducktape never pulls (no registry is assumed): build or load it there first (docker build, docker load)", opts.Image, e.host)
			}
			return "", fmt.Errorf("--docker-image %s: %w", opts.Image, err)
		}
		return opts.Image, nil
	}
	r, err := defaultRecipe("/", opts.Packages)
	if err != nil {
		return "", err
	}
	if _, err := e.cli.ImageInspect(ctx, r.tag); err == nil {
		return r.tag, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("looking up the default image %s: %w", r.tag, err)
	}
	fmt.Fprintf(log, "docker: building the default node image %s from %d of this machine's packages (once)\n", r.tag, len(r.packages))
	if err := importImage(ctx, e, r); err != nil {
		return "", fmt.Errorf("building the default docker image %s: %w", r.tag, err)
	}
	return r.tag, nil
}

// BuildImage builds the default image (with the extra packages) on the
// engine DOCKER_HOST names, unless it has it already, and returns its name.
func BuildImage(ctx context.Context, packages []string, log io.Writer) (string, error) {
	e, err := connect(ctx)
	if err != nil {
		return "", err
	}
	defer e.close()
	return ensureImage(ctx, e, Options{Packages: packages}, log)
}

// importImage streams r's root file system to the engine as a new image.
func importImage(ctx context.Context, e *engine, r *recipe) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(r.writeTar(pw)) }()
	repo, tag, _ := strings.Cut(r.tag, ":")
	res, err := e.cli.ImageImport(ctx, client.ImageImportSource{Source: pr, SourceName: "-"}, repo+":"+tag, client.ImageImportOptions{
		Changes: []string{
			"LABEL " + labelImage + "=default",
			`CMD ["/bin/sh"]`,
			"ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		},
		Message: recipeVersion,
	})
	if err != nil {
		pr.CloseWithError(err)
		return err
	}
	defer res.Close()
	return readJSONMessages(res)
}

// readJSONMessages drains an engine progress stream and returns the first
// error it reports.
func readJSONMessages(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
		if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
			return errors.New(m.ErrorDetail.Message)
		}
	}
}

// DefaultImage returns the name of the default image for this machine's
// packages (ducktape-node:<content hash>) without building it: other
// providers run it where they cannot build it (package kube).
func DefaultImage() (string, error) {
	r, err := defaultRecipe("/", nil)
	if err != nil {
		return "", err
	}
	return r.tag, nil
}
