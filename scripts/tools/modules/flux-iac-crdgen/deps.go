//go:build tools

// Package deps keeps controller-gen's main package in go.mod.
package deps

import _ "sigs.k8s.io/controller-tools/cmd/controller-gen"
