package main

import (
	"strings"

	"github.com/ducktape-go/ducktape/host"
)

// symbolList is a repeatable flag of test symbols, each value a
// comma-separated list split by host.SplitSymbols: commas inside a
// symbol's @{...} or @[...] parameters are JSON, not separators (pflag's
// string slices parse CSV and reject the quotes of JSON).
type symbolList struct{ symbols *[]string }

func (l symbolList) String() string { return strings.Join(*l.symbols, ",") }

func (l symbolList) Set(value string) error {
	*l.symbols = append(*l.symbols, host.SplitSymbols(value)...)
	return nil
}

func (l symbolList) Type() string { return "symbols" }
