// Package ext fills the extension point that github.com/traefik/traefik/v3/pkg/config/dynamic
// imports, so that its API packages type-check for controller-gen. Written for this repository;
// only the names are Traefik's.
package ext

// HTTP is inlined into dynamic.HTTPConfiguration; it adds no fields.
type HTTP struct{}

// Router is inlined into dynamic.Router; it adds no fields.
type Router struct{}

// RouterIng is what the ingress provider converts into a Router; it adds no fields.
type RouterIng struct{}

// ToRouter returns the (empty) Router extension.
func (RouterIng) ToRouter() Router { return Router{} }
