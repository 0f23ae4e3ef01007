package host

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// isSuiteFile reports whether a command-line argument names a YAML suite.
func isSuiteFile(arg string) bool {
	return strings.HasSuffix(arg, ".yml") || strings.HasSuffix(arg, ".yaml")
}

// suiteSpec is one suite of a YAML suite file: its symbols, relative to
// the current directory. Its excludes apply to its own includes only.
type suiteSpec struct {
	file, name         string
	included, excluded []string
}

// readSuite reads a YAML suite file in the Python ducktape's format:
//
//	import: [other.yml]            # or a single string
//	suite_name: [symbol, ...]
//	other_suite:
//	  included: [symbol, ...]
//	  excluded: [symbol, ...]
//
// Symbols and imports are relative to the suite file's directory. It
// returns every suite of the file and of its imports; seen guards against
// import cycles. A suite that includes nothing is an error, and so is an
// import of a file that is not a suite file.
func readSuite(path string, seen map[string]bool) ([]suiteSpec, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if seen[abs] {
		return nil, nil
	}
	seen[abs] = true
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("suite %s: %v", path, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("suite %s: not valid YAML: %v", path, err)
	}
	doc, err := mapping(&root)
	if err != nil {
		return nil, fmt.Errorf("suite %s: %v", path, err)
	}
	dir := filepath.Dir(path)
	rel := func(symbol string) string {
		if filepath.IsAbs(symbol) {
			return symbol
		}
		return dir + "/" + symbol
	}
	var suites []suiteSpec
	for _, entry := range doc {
		name, node := entry.key, entry.value
		if name == "import" {
			imports, err := stringList(node)
			if err != nil {
				return nil, fmt.Errorf("suite %s: import: %v", path, err)
			}
			for _, imp := range imports {
				if !isSuiteFile(imp) {
					return nil, fmt.Errorf("suite %s: import %s: not a suite file (a .yml or .yaml file of suites; name test files in a suite instead)", path, rel(imp))
				}
				imported, err := readSuite(rel(imp), seen)
				if err != nil {
					return nil, err
				}
				suites = append(suites, imported...)
			}
			continue
		}
		spec := suiteSpec{file: path, name: name}
		var inc, exc []string
		if node.Kind == yaml.MappingNode {
			parts, _ := mapping(node)
			for _, part := range parts {
				list, err := stringList(part.value)
				if err != nil {
					return nil, fmt.Errorf("suite %s: %s.%s: %v", path, name, part.key, err)
				}
				switch part.key {
				case "included":
					inc = list
				case "excluded":
					exc = list
				default:
					return nil, fmt.Errorf("suite %s: %s: unknown key %q (want included and excluded)", path, name, part.key)
				}
			}
		} else if inc, err = stringList(node); err != nil {
			return nil, fmt.Errorf("suite %s: %s: %v", path, name, err)
		}
		if len(inc) == 0 {
			what := "is empty"
			if len(exc) > 0 {
				what = "has only excluded: symbols"
			}
			return nil, fmt.Errorf("suite %s: %s %s; a suite must include some tests", path, name, what)
		}
		for _, s := range inc {
			spec.included = append(spec.included, rel(s))
		}
		for _, s := range exc {
			spec.excluded = append(spec.excluded, rel(s))
		}
		suites = append(suites, spec)
	}
	return suites, nil
}

// mergeCaseTargets merges the targets that name cases of the same test
// (path::test@{...}) into one with all their parameters, so that the
// excluded list of a rerun-failed.yml, one symbol per finished case (see
// rerunLog), costs a lookup per case instead of a comparison per symbol.
// What the targets select together is unchanged.
func mergeCaseTargets(targets []*target) []*target {
	var out []*target
	merged := map[string]*target{}
	for _, t := range targets {
		if t.params == nil {
			out = append(out, t)
			continue
		}
		key := strings.Join(t.files, "\x00") + "\x00" + t.sym.Test
		m := merged[key]
		if m == nil {
			m = &target{text: t.text, sym: t.sym, files: t.files, params: map[string]bool{}}
			merged[key] = m
			out = append(out, m)
		}
		for p := range t.params {
			m.params[p] = true
		}
	}
	return out
}

type yamlEntry struct {
	key   string
	value *yaml.Node
}

// mapping returns the entries of a YAML mapping (or of a document holding
// one) in document order.
func mapping(n *yaml.Node) ([]yamlEntry, error) {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("want a mapping of suite names to lists of test symbols")
	}
	var out []yamlEntry
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, yamlEntry{n.Content[i].Value, n.Content[i+1]})
	}
	return out, nil
}

// stringList decodes a YAML string or list of strings.
func stringList(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	var out []string
	if err := n.Decode(&out); err != nil {
		return nil, fmt.Errorf("want a list of test symbols: %v", err)
	}
	return out, nil
}
