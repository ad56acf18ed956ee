// Wrapper module: builds yaegi, the Go interpreter Traefik runs its plugins in (Traefik 3.7 embeds v0.16.1).
module platform.local/tools/yaegi

go 1.26.0

tool github.com/traefik/yaegi/cmd/yaegi

require github.com/traefik/yaegi v0.16.1 // indirect
