//go:build tools

// Package deps lists what the provider's main package and its generate.go import, so that
// go mod tidy keeps them in go.mod/go.sum (the main package itself is copied in at build time).
package deps

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
