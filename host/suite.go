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

// readSuite reads a YAML suite file in the Python ducktape's format:
//
//	import: [other.yml]            # or a single string
//	suite_name: [symbol, ...]
//	other_suite:
//	  included: [symbol, ...]
//	  excluded: [symbol, ...]
//
// Symbols and imports are relative to the suite file's directory. It
// returns the included and excluded symbols of every suite in the file and
// its imports; seen guards against import cycles.
func readSuite(path string, seen map[string]bool) (included, excluded []string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, err
	}
	if seen[abs] {
		return nil, nil, nil
	}
	seen[abs] = true
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("suite %s: %v", path, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, fmt.Errorf("suite %s: not valid YAML: %v", path, err)
	}
	doc, err := mapping(&root)
	if err != nil {
		return nil, nil, fmt.Errorf("suite %s: %v", path, err)
	}
	dir := filepath.Dir(path)
	rel := func(symbol string) string {
		if filepath.IsAbs(symbol) {
			return symbol
		}
		return dir + "/" + symbol
	}
	for _, entry := range doc {
		name, node := entry.key, entry.value
		if name == "import" {
			imports, err := stringList(node)
			if err != nil {
				return nil, nil, fmt.Errorf("suite %s: import: %v", path, err)
			}
			for _, imp := range imports {
				inc, exc, err := readSuite(rel(imp), seen)
				if err != nil {
					return nil, nil, err
				}
				included, excluded = append(included, inc...), append(excluded, exc...)
			}
			continue
		}
		var inc, exc []string
		if node.Kind == yaml.MappingNode {
			parts, _ := mapping(node)
			for _, part := range parts {
				list, err := stringList(part.value)
				if err != nil {
					return nil, nil, fmt.Errorf("suite %s: %s.%s: %v", path, name, part.key, err)
				}
				switch part.key {
				case "included":
					inc = list
				case "excluded":
					exc = list
				default:
					return nil, nil, fmt.Errorf("suite %s: %s: unknown key %q (want included and excluded)", path, name, part.key)
				}
			}
		} else if inc, err = stringList(node); err != nil {
			return nil, nil, fmt.Errorf("suite %s: %s: %v", path, name, err)
		}
		for _, s := range inc {
			included = append(included, rel(s))
		}
		for _, s := range exc {
			excluded = append(excluded, rel(s))
		}
	}
	return included, excluded, nil
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
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	var out []string
	if err := n.Decode(&out); err != nil {
		return nil, fmt.Errorf("want a list of test symbols: %v", err)
	}
	return out, nil
}
