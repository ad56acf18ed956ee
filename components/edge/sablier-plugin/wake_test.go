package sablierwake

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// sablierServer stands in for the Sablier server: it answers the dynamic strategy with the given
// session status and records the requests it got.
func sablierServer(t *testing.T, status string, seen *[]*http.Request) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		*seen = append(*seen, r)
		if r.URL.Path != "/api/strategies/dynamic" {
			rw.WriteHeader(http.StatusNotFound)
			return
		}
		rw.Header().Set(StatusHeader, status)
		rw.Header().Set("Content-Type", "text/html")
		rw.Header().Set("Cache-Control", "no-cache")
		_, _ = io.WriteString(rw, "<html>waking "+r.URL.Query().Get("group")+"</html>")
	}))
}

func middleware(t *testing.T, cfg *Config) (http.Handler, *bool) {
	t.Helper()
	reached := false
	next := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		reached = true
		_, _ = io.WriteString(rw, "the app")
	})
	h, err := New(context.Background(), next, cfg, "preview")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h, &reached
}

func config(sablierURL string) *Config {
	return &Config{
		SablierURL:      sablierURL,
		Group:           "vote-br-feature-x",
		SessionDuration: "30m",
		Dynamic:         &Dynamic{DisplayName: "vote feature-x", ShowDetails: true, Theme: "ghost", RefreshFrequency: "5s"},
	}
}

// serve sends one request through the middleware, with the Sablier server answering status; it
// returns the response, whether the app was reached, and what the server was asked.
func serve(t *testing.T, status string, req *http.Request) (*httptest.ResponseRecorder, bool, []*http.Request) {
	t.Helper()
	var seen []*http.Request
	server := sablierServer(t, status, &seen)
	defer server.Close()
	h, reached := middleware(t, config(server.URL+"/"))
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, req)
	return rw, *reached, seen
}

func TestReadyGroupReachesTheApp(t *testing.T) {
	rw, reached, _ := serve(t, "ready", httptest.NewRequest(http.MethodGet, "https://vote.example.org/", nil))
	if !reached || rw.Body.String() != "the app" {
		t.Fatalf("a ready group must reach the app; got %q", rw.Body.String())
	}
}

func TestGroupNotReadyGetsTheWaitingPage(t *testing.T) {
	rw, reached, _ := serve(t, "not-ready", httptest.NewRequest(http.MethodGet, "https://vote.example.org/", nil))
	if reached {
		t.Fatal("a group that is not ready must not reach the app")
	}
	if rw.Code != http.StatusOK || !strings.Contains(rw.Body.String(), "waking vote-br-feature-x") {
		t.Fatalf("want the waiting page, got %d %q", rw.Code, rw.Body.String())
	}
	if rw.Header().Get("Cache-Control") != "no-cache" || rw.Header().Get("Content-Type") != "text/html" {
		t.Fatalf("the waiting page must keep its headers, got %v", rw.Header())
	}
}

func TestAsksForTheGroupWithTheConfiguredSession(t *testing.T) {
	_, _, seen := serve(t, "not-ready", httptest.NewRequest(http.MethodGet, "https://vote.example.org/x?token=abc", nil))
	if len(seen) != 1 {
		t.Fatalf("want one session request, got %d", len(seen))
	}
	want := url.Values{
		"group":             {"vote-br-feature-x"},
		"session_duration":  {"30m"},
		"display_name":      {"vote feature-x"},
		"show_details":      {"true"},
		"theme":             {"ghost"},
		"refresh_frequency": {"5s"},
	}
	got := seen[0].URL.Query()
	for k, v := range want {
		if got.Get(k) != v[0] {
			t.Errorf("query %s: want %q, got %q", k, v[0], got.Get(k))
		}
	}
	if len(got) != len(want) {
		t.Errorf("want exactly %v, got %v", want, got)
	}
}

func TestSendsNoneOfTheClientsHeaders(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "https://vote.example.org/", nil)
	req.Header.Set("Cookie", "_oauth2_proxy_previews=session")
	req.Header.Set("Authorization", "Bearer token")
	_, _, seen := serve(t, "ready", req)
	if len(seen) != 1 || seen[0].Header.Get("Cookie") != "" || seen[0].Header.Get("Authorization") != "" {
		t.Fatalf("the session request must carry no client header, got %v", seen)
	}
}

func TestServerProblemIsPassedOnNotServed(t *testing.T) {
	server := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/problem+json")
		rw.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(rw, `{"title":"Group not found"}`)
	}))
	defer server.Close()
	h, reached := middleware(t, config(server.URL))
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "https://vote.example.org/", nil))
	if *reached || rw.Code != http.StatusNotFound || !strings.Contains(rw.Body.String(), "Group not found") {
		t.Fatalf("want the server's 404 passed on, got %d %q (reached app: %v)", rw.Code, rw.Body.String(), *reached)
	}
}

func TestUnreachableServerIsABadGateway(t *testing.T) {
	server := httptest.NewServer(http.NotFoundHandler())
	address := server.URL
	server.Close()
	h, reached := middleware(t, config(address))
	rw := httptest.NewRecorder()
	h.ServeHTTP(rw, httptest.NewRequest(http.MethodGet, "https://vote.example.org/", nil))
	if *reached || rw.Code != http.StatusBadGateway {
		t.Fatalf("want 502 without reaching the app, got %d (reached app: %v)", rw.Code, *reached)
	}
}

func TestRefusesAnIncompleteOrWrongConfig(t *testing.T) {
	next := http.NotFoundHandler()
	cases := map[string]*Config{
		"no url":           {Group: "g"},
		"no group":         {SablierURL: "http://sablier:10000"},
		"not http":         {SablierURL: "ftp://sablier", Group: "g"},
		"bad duration":     {SablierURL: "http://sablier:10000", Group: "g", SessionDuration: "half an hour"},
		"bad refresh rate": {SablierURL: "http://sablier:10000", Group: "g", Dynamic: &Dynamic{RefreshFrequency: "often"}},
	}
	for name, cfg := range cases {
		if _, err := New(context.Background(), next, cfg, "preview"); err == nil || !strings.Contains(err.Error(), "preview") {
			t.Errorf("%s: want an error naming the middleware, got %v", name, err)
		}
	}
}
