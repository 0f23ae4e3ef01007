package main

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kballard/go-shellquote"
)

// Configuration files hold command-line arguments, as in the Python
// ducktape: any number per line, quoted as in a shell, '#' starting a
// comment line. They are layered: the project's .ducktape/config, then the
// user's ~/.ducktape/config (or the file named by --config-file instead),
// then the command line; a later value of a flag overrides an earlier one.
const projectConfig = ".ducktape/config"

// withConfigArgs returns args preceded by the arguments of the
// configuration files. Subcommands (version, repl, compare, merge, docker, help)
// and --version take none; trends and serve take their --store and
// --results-root.
func withConfigArgs(gs *globalState, args []string) ([]string, error) {
	if len(args) > 0 && slices.Contains([]string{"version", "--version", "repl", "compare", "merge", "check", "docker", "kube", "help", "completion", "__complete"}, args[0]) {
		return args, nil
	}
	config, err := configArgs(gs, args)
	if err != nil {
		return nil, err
	}
	if len(args) > 0 && (args[0] == "trends" || args[0] == "serve") {
		return slices.Concat(args[:1], storeArgs(config), args[1:]), nil
	}
	return append(config, args...), nil
}

// storeArgs picks the flags that say where the results store is out of
// configuration arguments.
func storeArgs(config []string) []string {
	var out []string
	for i := 0; i < len(config); i++ {
		name, _, _ := strings.Cut(config[i], "=")
		if name != "--store" && name != "--results-root" {
			continue
		}
		out = append(out, config[i])
		if !strings.Contains(config[i], "=") && i+1 < len(config) {
			out = append(out, config[i+1])
			i++
		}
	}
	return out
}

// configArgs returns the arguments of the configuration files.
func configArgs(gs *globalState, args []string) ([]string, error) {
	files := []string{projectConfig}
	userConfig, explicit := configFileArg(args)
	if !explicit {
		if home := gs.getenv("HOME"); home != "" {
			userConfig = filepath.Join(home, ".ducktape", "config")
		}
	}
	if userConfig != "" {
		files = append(files, userConfig)
	}
	var out []string
	for i, f := range files {
		data, err := gs.readFile(f)
		if errors.Is(err, fs.ErrNotExist) && !(explicit && i == len(files)-1) {
			continue
		}
		if err != nil {
			return nil, usageErrorf("config file %s: %v", f, err)
		}
		for n, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			words, err := shellquote.Split(line)
			if err != nil {
				return nil, usageErrorf("config file %s, line %d: %v", f, n+1, err)
			}
			out = append(out, words...)
		}
	}
	return out, nil
}

// configFileArg finds --config-file among args.
func configFileArg(args []string) (string, bool) {
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--config-file="); ok {
			return v, true
		}
		if a == "--config-file" && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}
