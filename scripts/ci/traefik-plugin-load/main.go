// Loads the edge's Sablier plugin the way Traefik does: Yaegi with GOPATH at the local plugins
// folder, the package imported by the manifest's import path, then CreateConfig and New called on
// it. Run by scripts/ci/traefik-plugin.sh with GOPATH=<dir> where <dir>/src/<module>/ holds the
// files the program puts in Traefik's ConfigMap. Exits non-zero on any failure.
package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	sablierwake "platform.local/traefik/sablierwake"
)

func main() {
	sablier := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("group") == "ready-group" {
			rw.Header().Set("X-Sablier-Session-Status", "ready")
		} else {
			rw.Header().Set("X-Sablier-Session-Status", "not-ready")
		}
		fmt.Fprint(rw, "waiting page")
	}))
	defer sablier.Close()

	for group, want := range map[string]string{"ready-group": "app", "cold-group": "waiting page"} {
		cfg := sablierwake.CreateConfig()
		cfg.SablierURL = sablier.URL
		cfg.Group = group
		cfg.SessionDuration = "30m"
		next := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { fmt.Fprint(rw, "app") })
		h, err := sablierwake.New(context.Background(), next, cfg, "sablier")
		if err != nil {
			fmt.Println("FAIL New:", err)
			os.Exit(1)
		}
		rw := httptest.NewRecorder()
		h.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "http://preview.example.org/", nil))
		if rw.Body.String() != want {
			fmt.Printf("FAIL %s: want %q, got %q\n", group, want, rw.Body.String())
			os.Exit(1)
		}
	}
	fmt.Println("ok loaded and served through Yaegi")
}
