// Package services is the service model of ducktape and its standard library
// of ready-made services written in Starlark (services/std/*.star), embedded
// in the binary and loaded as load("@ducktape//std/<file>.star", ...).
package services

import "embed"

// Std is the embedded standard library; paths are "std/<file>.star".
//
//go:embed std
var Std embed.FS
