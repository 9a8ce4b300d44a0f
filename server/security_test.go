package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/server"
	"github.com/relais/relais/store/storetest"
)

func TestSecurityHeaders(t *testing.T) {
	in := startOne(t, testConfig())
	tests := []struct {
		name, path string
		want       map[string]string // header → a part its value must contain
		absent     []string
	}{
		{name: "desk", path: "/desk", want: map[string]string{
			"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY",
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}},
		{name: "desk default-src", path: "/desk", want: map[string]string{"Content-Security-Policy": "default-src 'self'"}},
		{name: "desk no inline script", path: "/desk", want: map[string]string{"Content-Security-Policy": "script-src 'self';"}},
		{name: "demo page", path: "/", want: map[string]string{
			"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "strict-origin-when-cross-origin"}},
		{name: "demo page framed by itself only", path: "/", want: map[string]string{"Content-Security-Policy": "frame-ancestors 'self'"}},
		{name: "widget embeddable", path: "/widget.js", want: map[string]string{
			"Cross-Origin-Resource-Policy": "cross-origin", "X-Content-Type-Options": "nosniff"},
			absent: []string{"Content-Security-Policy", "X-Frame-Options"}},
		{name: "api", path: "/api/v1/conversations/x/events", want: map[string]string{
			"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff"}},
		{name: "unknown route", path: "/nulle-part", want: map[string]string{"X-Content-Type-Options": "nosniff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, h, _ := call(t, "GET", in.url+tt.path, "", "")
			for k, v := range tt.want {
				if !strings.Contains(h.Get(k), v) {
					t.Errorf("%s: got %q, want it to contain %q", k, h.Get(k), v)
				}
			}
			for _, k := range tt.absent {
				if h.Get(k) != "" {
					t.Errorf("%s: got %q, want none", k, h.Get(k))
				}
			}
		})
	}
}

// TestCookieRoutesRefuseForgedRequests: the routes a session cookie authenticates take JSON
// bodies only, and no request from another site (SameSite lets a sibling subdomain through).
func TestCookieRoutesRefuseForgedRequests(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	cookie := d.session(t, d.addAgent(t, "alice").ID)
	own := "http://" + strings.TrimPrefix(d.url, "http://")
	customer := `{"name":"Inès Dupont","email":"ines@example.fr"}`
	tests := []struct {
		name, method, path, body string
		header                   []string
		want                     int
		code                     string
	}{
		{name: "json from the desk", method: "POST", path: "/api/v1/desk/customers", body: customer,
			header: []string{"Content-Type", "application/json", "Origin", own, "Sec-Fetch-Site", "same-origin"}, want: http.StatusCreated},
		{name: "json with charset, no browser headers", method: "POST", path: "/api/v1/desk/customers", body: `{"name":"Léo Martin"}`,
			header: []string{"Content-Type", "application/json; charset=utf-8"}, want: http.StatusCreated},
		{name: "text/plain", method: "POST", path: "/api/v1/desk/customers", body: customer,
			header: []string{"Content-Type", "text/plain"}, want: http.StatusUnsupportedMediaType, code: "unsupported_media_type"},
		{name: "form", method: "POST", path: "/api/v1/desk/customers", body: "name=x",
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, want: http.StatusUnsupportedMediaType, code: "unsupported_media_type"},
		{name: "foreign origin", method: "POST", path: "/api/v1/desk/customers", body: customer,
			header: []string{"Content-Type", "application/json", "Origin", "https://evil.example"}, want: http.StatusForbidden, code: "forbidden"},
		{name: "null origin", method: "POST", path: "/api/v1/desk/customers", body: customer,
			header: []string{"Content-Type", "application/json", "Origin", "null"}, want: http.StatusForbidden, code: "forbidden"},
		{name: "cross-site", method: "POST", path: "/api/v1/desk/customers", body: customer,
			header: []string{"Content-Type", "application/json", "Sec-Fetch-Site", "cross-site"}, want: http.StatusForbidden, code: "forbidden"},
		{name: "sibling subdomain", method: "POST", path: "/api/v1/desk/customers", body: customer,
			header: []string{"Content-Type", "application/json", "Sec-Fetch-Site", "same-site"}, want: http.StatusForbidden, code: "forbidden"},
		{name: "cross-site read", method: "GET", path: "/api/v1/desk/customers?q=Ines",
			header: []string{"Sec-Fetch-Site", "cross-site"}, want: http.StatusForbidden, code: "forbidden"},
		{name: "logout from another site", method: "POST", path: "/api/v1/agent/logout",
			header: []string{"Origin", "https://evil.example"}, want: http.StatusForbidden, code: "forbidden"},
		{name: "logout as text/plain", method: "POST", path: "/api/v1/agent/logout", body: "x",
			header: []string{"Content-Type", "text/plain"}, want: http.StatusUnsupportedMediaType, code: "unsupported_media_type"},
		{name: "login from another site", method: "POST", path: "/api/v1/agent/login", body: `{"login":"alice","password":"` + testPassword + `"}`,
			header: []string{"Content-Type", "application/json", "Origin", "https://evil.example"}, want: http.StatusForbidden, code: "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := rawCall(t, tt.method, d.url+tt.path, tt.body, append([]string{"Cookie", cookie.Name + "=" + cookie.Value}, tt.header...)...)
			if status != tt.want {
				t.Fatalf("got %d %s, want %d", status, body, tt.want)
			}
			if tt.code != "" {
				if e := decode[errorBody](t, body); e.Error.Code != tt.code || e.Error.Message == "" {
					t.Errorf("got %s, want code %s with a message", body, tt.code)
				}
			}
		})
	}
}

// rawCall is call without the JSON Content-Type: the test says every header.
func rawCall(t testing.TB, method, url, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	req.RequestURI = ""
	if body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

func TestPublicURLDecidesSecureCookies(t *testing.T) {
	tests := []struct {
		name      string
		publicURL string
		proxies   []string
		proto     string // X-Forwarded-Proto sent by the client (here from 127.0.0.1)
		want      bool
	}{
		{name: "https public URL", publicURL: "https://relais.example.fr", want: true},
		{name: "http public URL, forged https", publicURL: "http://localhost:8080", proto: "https", want: false},
		{name: "no public URL, untrusted forwarded https", proto: "https", want: false},
		{name: "no public URL, trusted proxy says https", proxies: []string{"127.0.0.0/8"}, proto: "https", want: true},
		{name: "no public URL, plain http", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.PublicURL, cfg.TrustedProxies = tt.publicURL, tt.proxies
			d := startDesk(t, storetest.Open(t), cfg)
			d.addAgent(t, "alice")
			header := []string{"Content-Type", "application/json"}
			if tt.proto != "" {
				header = append(header, "X-Forwarded-Proto", tt.proto)
			}
			status, h, body := rawCall(t, "POST", d.url+"/api/v1/agent/login", `{"login":"alice","password":"`+testPassword+`"}`, header...)
			if status != http.StatusOK {
				t.Fatalf("login: got %d %s", status, body)
			}
			resp := http.Response{Header: h}
			cookies := resp.Cookies()
			if len(cookies) != 1 || cookies[0].Secure != tt.want {
				t.Errorf("cookie: got %+v, want Secure %v", cookies, tt.want)
			}
		})
	}
}

func TestConfigRefusesBadPublicURL(t *testing.T) {
	for _, u := range []string{"relais.example.fr", "ftp://relais.example.fr", "https://"} {
		cfg := testConfig()
		cfg.PublicURL = u
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "RELAIS_PUBLIC_URL") {
			t.Errorf("%q: got %v, want a RELAIS_PUBLIC_URL error", u, err)
		}
	}
}

func TestMetricsAccess(t *testing.T) {
	const token = "jeton-des-metriques-assez-long"
	tests := []struct {
		name   string
		cfg    func(*server.Config)
		header []string
		want   int
	}{
		{name: "local, no setting", want: http.StatusOK},
		{name: "forwarded by a local proxy", header: []string{"X-Forwarded-For", "203.0.113.9"}, want: http.StatusForbidden},
		{name: "token missing", cfg: func(c *server.Config) { c.MetricsToken = token }, want: http.StatusUnauthorized},
		{name: "token wrong", cfg: func(c *server.Config) { c.MetricsToken = token }, header: []string{"Authorization", "Bearer faux"}, want: http.StatusUnauthorized},
		{name: "token right", cfg: func(c *server.Config) { c.MetricsToken = token }, header: []string{"Authorization", "Bearer " + token, "X-Forwarded-For", "203.0.113.9"}, want: http.StatusOK},
		{name: "own address", cfg: func(c *server.Config) { c.MetricsAddr = "127.0.0.1:0" }, want: http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			in := startOne(t, cfg)
			status, _, body := call(t, "GET", in.url+"/metrics", "", "", tt.header...)
			if status != tt.want {
				t.Fatalf("got %d %s, want %d", status, body, tt.want)
			}
		})
	}
	t.Run("metrics handler", func(t *testing.T) {
		cfg := testConfig()
		cfg.MetricsAddr = "127.0.0.1:0"
		in := startOne(t, cfg)
		rec := httptest.NewRecorder()
		in.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "relais_websockets_active") {
			t.Errorf("got %d %.80s, want 200 with the metrics", rec.Code, rec.Body.String())
		}
	})
}

// TestEveryCookieRouteRefusesForgedRequests walks the route table: every route a session
// cookie authenticates (the agent's account and the whole desk, the supervisors' erasure and
// export, reopen, réponses types and the agent's file upload included) refuses a foreign Origin
// and Sec-Fetch-Site cross-site or same-site with the origin check's own 403, and a
// text/plain body with 415, even with a valid cookie. A route added without the check fails
// here.
func TestEveryCookieRouteRefusesForgedRequests(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	cookie := d.session(t, d.addAgent(t, "alice").ID) // not a supervisor: that 403 says otherwise
	e, ok := d.srv.Handler().(*echo.Echo)
	if !ok {
		t.Fatalf("handler %T, want *echo.Echo", d.srv.Handler())
	}
	param := regexp.MustCompile(`:[a-z]+`)
	forged := []struct {
		name   string
		header []string
	}{
		{"foreign origin", []string{"Origin", "https://support.example.fr"}},
		{"cross-site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"same-site", []string{"Sec-Fetch-Site", "same-site"}},
	}
	tested := 0
	for _, r := range e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/desk") && !strings.HasPrefix(r.Path, "/api/v1/agent") {
			continue
		}
		switch r.Method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			continue // the groups' not-found handlers
		}
		tested++
		path := param.ReplaceAllString(r.Path, "x")
		withBody := r.Method != "GET"
		body, ctype := "", "application/json"
		if withBody {
			body = `{"confirm":true}`
		}
		if strings.HasSuffix(r.Path, "/attachments") && r.Method == "POST" {
			body, ctype = pngFile, "image/png"
		}
		for _, f := range forged {
			header := append([]string{"Cookie", cookie.Name + "=" + cookie.Value, "Content-Type", ctype}, f.header...)
			status, _, data := rawCall(t, r.Method, d.url+path, body, header...)
			if e := decodeErr(data); status != http.StatusForbidden || e.Error.Code != "forbidden" || !strings.Contains(e.Error.Message, "origine étrangère") {
				t.Errorf("%s %s, %s: got %d %s, want 403 from the origin check", r.Method, r.Path, f.name, status, data)
			}
		}
		if withBody {
			status, _, data := rawCall(t, r.Method, d.url+path, "x", "Cookie", cookie.Name+"="+cookie.Value, "Content-Type", "text/plain")
			if status != http.StatusUnsupportedMediaType {
				t.Errorf("%s %s, text/plain: got %d %s, want 415", r.Method, r.Path, status, data)
			}
		}
	}
	if tested < 40 {
		t.Fatalf("%d cookie routes found in the route table, want the desk's and the agent's (40 or more)", tested)
	}
	t.Logf("%d cookie routes refuse forged requests", tested)
}

func decodeErr(data []byte) errorBody {
	var e errorBody
	json.Unmarshal(data, &e)
	return e
}
