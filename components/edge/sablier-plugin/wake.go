// Package sablierwake is a Traefik middleware in front of a workload group that Sablier scales to
// zero. Each request asks the Sablier server for a session on the group (its dynamic strategy):
// once the server reports the group ready the request goes on to the route's service; until then
// the client gets the server's waiting page, which reloads itself.
//
// The Sablier server's API (v1.15): GET /api/strategies/dynamic with the query parameters group,
// session_duration, display_name, show_details, theme and refresh_frequency answers an HTML page
// and the header X-Sablier-Session-Status: ready or not-ready.
package sablierwake

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// StatusHeader is the Sablier server's answer on whether the group's session is ready.
const StatusHeader = "X-Sablier-Session-Status"

// Dynamic configures the waiting page.
type Dynamic struct {
	DisplayName      string `json:"displayName,omitempty"`
	ShowDetails      bool   `json:"showDetails,omitempty"`
	Theme            string `json:"theme,omitempty"`
	RefreshFrequency string `json:"refreshFrequency,omitempty"`
}

// Config is the middleware's configuration (the Middleware's `plugin.sablier`).
type Config struct {
	SablierURL      string   `json:"sablierUrl,omitempty"`
	Group           string   `json:"group,omitempty"`
	SessionDuration string   `json:"sessionDuration,omitempty"`
	Dynamic         *Dynamic `json:"dynamic,omitempty"`
}

// CreateConfig returns the defaults Traefik decodes a Middleware's settings onto.
func CreateConfig() *Config {
	return &Config{}
}

// Wake is the middleware.
type Wake struct {
	next    http.Handler
	name    string
	session string
	client  *http.Client
}

// New checks the configuration and builds the session request once.
func New(_ context.Context, next http.Handler, config *Config, name string) (http.Handler, error) {
	if config.SablierURL == "" || config.Group == "" {
		return nil, fmt.Errorf("sablier middleware %s: sablierUrl and group are required", name)
	}
	base, err := url.Parse(config.SablierURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("sablier middleware %s: sablierUrl %q is not an http(s) URL", name, config.SablierURL)
	}
	query := url.Values{}
	query.Set("group", config.Group)
	if err := setDuration(query, "session_duration", config.SessionDuration); err != nil {
		return nil, fmt.Errorf("sablier middleware %s: sessionDuration: %w", name, err)
	}
	if d := config.Dynamic; d != nil {
		if d.DisplayName != "" {
			query.Set("display_name", d.DisplayName)
		}
		if d.Theme != "" {
			query.Set("theme", d.Theme)
		}
		query.Set("show_details", strconv.FormatBool(d.ShowDetails))
		if err := setDuration(query, "refresh_frequency", d.RefreshFrequency); err != nil {
			return nil, fmt.Errorf("sablier middleware %s: dynamic.refreshFrequency: %w", name, err)
		}
	}
	session := strings.TrimSuffix(base.String(), "/") + "/api/strategies/dynamic?" + query.Encode()
	// The server answers at once (it does not wait for the group); a stuck server must not hold
	// the client's connection for long.
	return &Wake{next: next, name: name, session: session, client: &http.Client{Timeout: 10 * time.Second}}, nil
}

// setDuration sets a Go duration parameter, refusing what the server would reject.
func setDuration(query url.Values, key, value string) error {
	if value == "" {
		return nil
	}
	if _, err := time.ParseDuration(value); err != nil {
		return fmt.Errorf("%q is not a duration such as 30m or 5s", value)
	}
	query.Set(key, value)
	return nil
}

func (w *Wake) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	// A request of our own: none of the client's headers (its cookies) reach the Sablier server.
	ask, err := http.NewRequestWithContext(req.Context(), http.MethodGet, w.session, nil)
	if err != nil {
		http.Error(rw, "sablier: cannot build the session request", http.StatusInternalServerError)
		return
	}
	answer, err := w.client.Do(ask)
	if err != nil {
		http.Error(rw, "sablier: the Sablier server did not answer", http.StatusBadGateway)
		return
	}
	defer answer.Body.Close()
	if answer.StatusCode == http.StatusOK && answer.Header.Get(StatusHeader) == "ready" {
		w.next.ServeHTTP(rw, req)
		return
	}
	// The waiting page, or the server's problem report (unknown group, bad parameter), as it came.
	for _, h := range []string{"Content-Type", "Cache-Control", StatusHeader} {
		if v := answer.Header.Get(h); v != "" {
			rw.Header().Set(h, v)
		}
	}
	rw.WriteHeader(answer.StatusCode)
	_, _ = io.Copy(rw, answer.Body)
}
