// Our stand-in for Traefik's nested module github.com/traefik/traefik/dynamic/ext, which
// traefik/v3's go.mod replaces with a local folder that its module zip leaves out (and the proxy
// does not serve on its own). It is an extension point: empty structs inlined into
// dynamic.HTTPConfiguration and dynamic.Router, none of which reach the CRD schemas.
module github.com/traefik/traefik/dynamic/ext

go 1.26.0
