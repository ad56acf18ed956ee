// The edge's Sablier middleware, loaded by Traefik as a local plugin (interpreted by Yaegi) from a
// ConfigMap the program writes: nothing is downloaded when Traefik starts. Standard library only.
module platform.local/traefik/sablierwake

go 1.24
