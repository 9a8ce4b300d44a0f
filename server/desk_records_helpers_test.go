package server_test

import (
	"encoding/json"
	"net/http"
	"testing"

	rec "github.com/relais/relais/handoff/desk"
)

// deskBody is a desk error answer: the error, the fields at fault, the current record.
type deskBody struct {
	errorBody
	Fields  map[string]string `json:"fields"`
	Current json.RawMessage   `json:"current"`
}

// deskCall sends a desk request as the agent of cookie (nil: no cookie); header adds pairs
// such as "If-Match", `"1"`.
func (d *deskInstance) deskCall(t testing.TB, cookie *http.Cookie, method, path, body string, header ...string) (int, http.Header, []byte) {
	t.Helper()
	if cookie != nil {
		header = append(header, "Cookie", cookie.Name+"="+cookie.Value)
	}
	return call(t, method, d.url+"/api/v1/desk"+path, "", body, header...)
}

// mustDesk sends a desk request that must answer want, and decodes the answer into T.
func mustDesk[T any](t testing.TB, d *deskInstance, cookie *http.Cookie, want int, method, path, body string, header ...string) (T, http.Header) {
	t.Helper()
	status, h, data := d.deskCall(t, cookie, method, path, body, header...)
	if status != want {
		t.Fatalf("%s %s: got %d %s, want %d", method, path, status, data, want)
	}
	return decode[T](t, data), h
}

// newCustomer creates a customer through the API.
func (d *deskInstance) newCustomer(t testing.TB, cookie *http.Cookie, body string) rec.Customer {
	t.Helper()
	c, _ := mustDesk[rec.Customer](t, d, cookie, http.StatusCreated, "POST", "/customers", body)
	return c
}

// records is the desk records of the instance's store, for what the API does not create
// by itself (an activity without going through an accept).
func (d *deskInstance) records() *rec.Desk { return rec.New(d.st, nil) }
