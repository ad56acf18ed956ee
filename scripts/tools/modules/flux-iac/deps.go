//go:build tools

// Package deps names what scripts/tools/build-flux-iac.sh builds and generates CRDs from, so that
// go mod tidy keeps them: the controller's main package and the API packages of the objects it
// reads, at the versions its own go.mod requires.
package deps

import (
	_ "github.com/fluxcd/image-automation-controller"
	_ "github.com/fluxcd/image-automation-controller/api/v1beta2"
	_ "github.com/fluxcd/image-reflector-controller/api/v1beta2"
	_ "github.com/fluxcd/source-controller/api/v1"
)
