package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

// Files as their first bytes make them: what http.DetectContentType reads.
var (
	pngFile  = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00", 40)
	pdfFile  = "%PDF-1.4\n%âãÏÓ\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
	htmlFile = "<html><script>alert(1)</script></html>"
)

type uploaded struct {
	Attachment conversation.Attachment `json:"attachment"`
	Event      conversation.Event      `json:"event"`
}

// upload sends a customer's file to c; contentType "" sends none.
func (in *instance) upload(t testing.TB, c created, name, contentType, data string) (int, []byte) {
	t.Helper()
	status, _, body := call(t, "POST", in.url+"/api/v1/conversations/"+c.ID+"/attachments?name="+url.QueryEscape(name),
		c.Token, data, "Content-Type", contentType)
	return status, body
}

// TestAttachmentsBothWays: the customer sends an image, the agent a PDF; each side receives
// the other's live (websockets) and reads it back with its own credentials, served with the
// type its content showed.
func TestAttachmentsBothWays(t *testing.T) {
	d := startDesk(t, storetest.Open(t), testConfig())
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.setReady(t)
	c := d.open(t)
	d.takeOver(t, dk, c)
	ws := d.dial(t, c, "0")

	status, body := d.upload(t, c, `C:\photos\<img src=x onerror=alert(1)>.png`, "image/png", pngFile)
	if status != http.StatusCreated {
		t.Fatalf("customer upload: %d %s", status, body)
	}
	up := decode[uploaded](t, body)
	a := up.Attachment
	if a.Type != "image/png" || a.Name != "<img src=x onerror=alert(1)>.png" || a.Size != int64(len(pngFile)) || a.ID == "" {
		t.Errorf("attachment %+v", a)
	}
	if up.Event.Type != conversation.TypeAttachment || up.Event.From != conversation.FromCustomer || up.Event.Seq == 0 {
		t.Errorf("event %+v", up.Event)
	}
	got := dk.await(t, "the customer's file", func(m deskMsg) bool {
		return m.Type == "event" && m.Event != nil && m.Event.Type == conversation.TypeAttachment
	})
	if got.Event.Attachment == nil || got.Event.Attachment.ID != a.ID {
		t.Errorf("desk event %+v", got.Event)
	}
	st, h, data := d.deskCall(t, cookie, "GET", "/conversations/"+c.ID+"/attachments/"+a.ID, "")
	if st != http.StatusOK || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "private, no-store" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "inline;") || string(data) != pngFile {
		t.Errorf("agent download: %d %v (%d bytes)", st, h, len(data))
	}
	checkFileHeaders(t, "agent download", h)

	st, _, body = d.deskCall(t, cookie, "POST", "/conversations/"+c.ID+"/attachments?name="+url.QueryEscape("Bon de retour n°2.pdf"),
		pdfFile, "Content-Type", "application/pdf")
	if st != http.StatusCreated {
		t.Fatalf("agent upload: %d %s", st, body)
	}
	pdf := decode[uploaded](t, body)
	ev := awaitEvent(t, ws, "the agent's file", func(e conversation.Event) bool {
		return e.Type == conversation.TypeAttachment && e.From == conversation.FromAgent
	})
	if ev.Attachment == nil || ev.Attachment.ID != pdf.Attachment.ID || ev.Agent != alice.Name || ev.Attachment.Type != "application/pdf" {
		t.Errorf("customer event %+v", ev)
	}
	path := d.url + "/api/v1/conversations/" + c.ID + "/attachments/" + pdf.Attachment.ID
	st, h, data = call(t, "GET", path, c.Token, "")
	if st != http.StatusOK || h.Get("Content-Type") != "application/pdf" || string(data) != pdfFile ||
		h.Get("Content-Disposition") != `attachment; filename="Bon de retour n_2.pdf"; filename*=UTF-8''Bon%20de%20retour%20n%C2%B02.pdf` {
		t.Errorf("customer download: %d %v", st, h)
	}
	checkFileHeaders(t, "customer download", h)
	if st, _, _ := call(t, "GET", path, "", ""); st != http.StatusUnauthorized {
		t.Errorf("without the token: %d, want 401", st)
	}
	other := d.open(t)
	if st, _, _ := call(t, "GET", path, other.Token, ""); st != http.StatusForbidden {
		t.Errorf("with another conversation's token: %d, want 403", st)
	}
	if st, _, _ := call(t, "GET", d.url+"/api/v1/conversations/"+other.ID+"/attachments/"+pdf.Attachment.ID, other.Token, ""); st != http.StatusNotFound {
		t.Errorf("another conversation's file: %d, want 404", st)
	}
	transcript := d.events(t, c, "0")
	if count(transcript, conversation.TypeAttachment) != 2 {
		t.Errorf("transcript: %d attachments, want 2", count(transcript, conversation.TypeAttachment))
	}
}

// TestAttachmentTypeIsTheContents: a file is judged by its content, never by its name or its
// declared type; each refusal has its code and a French message.
func TestAttachmentTypeIsTheContents(t *testing.T) {
	cfg := testConfig()
	cfg.AttachmentMaxBytes = 1000
	in := start(t, storetest.Open(t), cfg)
	c := in.open(t)
	for _, tt := range []struct {
		name, file, contentType, data string
		status                        int
		code, says                    string
	}{
		{"html named png", "photo.png", "image/png", htmlFile, 415, "unsupported_file_type", "images (PNG, JPEG, WebP, GIF)"},
		{"html undeclared", "photo.png", "", htmlFile, 415, "unsupported_file_type", "documents PDF"},
		{"pdf declared png", "photo.png", "image/png", pdfFile, 415, "unsupported_file_type", "ne correspond pas à son contenu (application/pdf)"},
		{"empty", "vide.png", "image/png", "", 400, "invalid", "vide"},
		{"too large", "grand.png", "image/png", pngFile + strings.Repeat("x", 1000), 413, "file_too_large", "1 ko au plus"},
		{"a program", "facture.pdf", "application/pdf", "MZ\x90\x00\x03" + strings.Repeat("\x00", 60), 415, "unsupported_file_type", "PDF"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := in.upload(t, c, tt.file, tt.contentType, tt.data)
			e := decode[errorBody](t, body)
			if status != tt.status || e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.says) {
				t.Errorf("got %d %s, want %d %s saying %q", status, body, tt.status, tt.code, tt.says)
			}
		})
	}
	// A PDF named .png and sent as a binary is a PDF.
	status, body := in.upload(t, c, "scan.png", "application/octet-stream", pdfFile)
	if status != http.StatusCreated || decode[uploaded](t, body).Attachment.Type != "application/pdf" {
		t.Errorf("octet-stream PDF: %d %s", status, body)
	}
	if n := count(in.events(t, c, "0"), conversation.TypeAttachment); n != 1 {
		t.Errorf("%d attachment events, want the one accepted", n)
	}
}

// TestAttachmentQuota: a conversation receives at most its quota of bytes and of files; a
// refused file leaves the quota as it was, and another conversation has its own.
func TestAttachmentQuota(t *testing.T) {
	cfg := testConfig()
	cfg.AttachmentMaxBytes, cfg.AttachmentQuotaBytes, cfg.AttachmentQuotaFiles = 1000, 1500, 3
	in := start(t, storetest.Open(t), cfg)
	c := in.open(t)
	file := pngFile + strings.Repeat("x", 700-len(pngFile))
	small := pngFile
	steps := []struct {
		data   string
		status int
	}{{file, 201}, {file, 201}, {file, 413}, {small, 201}, {small, 413}}
	for i, s := range steps {
		status, body := in.upload(t, c, "photo.png", "image/png", s.data)
		if status != s.status {
			t.Fatalf("file %d: %d %s, want %d", i+1, status, body, s.status)
		}
		if status == 413 {
			e := decode[errorBody](t, body)
			if e.Error.Code != "quota_exceeded" || !strings.Contains(e.Error.Message, "n'a pas été envoyé") {
				t.Errorf("file %d: %s", i+1, body)
			}
		}
	}
	if status, body := in.upload(t, in.open(t), "photo.png", "image/png", file); status != 201 {
		t.Errorf("another conversation: %d %s", status, body)
	}
}

// TestDeskUploadKeepsCSRFProtection: the agent's upload is a cookie route whose body is a
// file: a foreign origin, a type no attachment has (what a form sends), a type its content
// contradicts, and a conversation the agent does not hold are refused.
func TestDeskUploadKeepsCSRFProtection(t *testing.T) {
	h := startTwoAgents(t)
	d, ca, cb, c := h.d, h.ca, h.cb, h.c
	path := "/conversations/" + c.ID + "/attachments?name=x.png"
	for _, tt := range []struct {
		name   string
		cookie *http.Cookie
		header []string
		status int
		code   string
	}{
		{"foreign origin", ca, []string{"Content-Type", "image/png", "Origin", "https://evil.example"}, 403, "forbidden"},
		{"cross-site fetch", ca, []string{"Content-Type", "image/png", "Sec-Fetch-Site", "cross-site"}, 403, "forbidden"},
		{"form", ca, []string{"Content-Type", "multipart/form-data; boundary=x"}, 415, "unsupported_file_type"},
		{"text/plain", ca, []string{"Content-Type", "text/plain"}, 415, "unsupported_file_type"},
		{"declared pdf", ca, []string{"Content-Type", "application/pdf"}, 415, "unsupported_file_type"},
		{"not held", cb, []string{"Content-Type", "image/png"}, 403, "forbidden"},
		{"no session", nil, []string{"Content-Type", "image/png"}, 401, "unauthorized"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := d.deskCall(t, tt.cookie, "POST", path, pngFile, tt.header...)
			if e := decode[errorBody](t, body); status != tt.status || e.Error.Code != tt.code {
				t.Errorf("got %d %s, want %d %s", status, body, tt.status, tt.code)
			}
		})
	}
	if n := count(d.events(t, c, "0"), conversation.TypeAttachment); n != 0 {
		t.Errorf("%d attachment events after refusals only", n)
	}
}

// TestAttachmentsGoWithTheConversation: the customer's « Effacer cette conversation » erases its
// files with it, and a closed conversation receives none.
func TestAttachmentsGoWithTheConversation(t *testing.T) {
	st := storetest.Open(t)
	in := start(t, st, testConfig())
	c := in.open(t)
	status, body := in.upload(t, c, "photo.png", "image/png", pngFile)
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %s", status, body)
	}
	a := decode[uploaded](t, body).Attachment
	if st, _, _ := call(t, "DELETE", in.url+"/api/v1/conversations/"+c.ID, c.Token, ""); st != http.StatusNoContent {
		t.Fatalf("erase: %d", st)
	}
	keys, err := st.Client.Keys(t.Context(), st.Key("conv", "{"+c.ID+"}")+"*").Result()
	if err != nil || len(keys) != 0 {
		t.Errorf("keys left: %v %v", keys, err)
	}
	if st, _, _ := call(t, "GET", in.url+"/api/v1/conversations/"+c.ID+"/attachments/"+a.ID, c.Token, ""); st != http.StatusNotFound {
		t.Errorf("download after erasure: %d, want 404", st)
	}

	closed := in.open(t)
	if st, _, b := call(t, "POST", in.url+"/api/v1/conversations/"+closed.ID+"/leave", closed.Token, `{}`); st >= 300 {
		t.Fatalf("leave: %d %s", st, b)
	}
	status, body = in.upload(t, closed, "photo.png", "image/png", pngFile)
	if e := decode[errorBody](t, body); status != http.StatusConflict || !strings.Contains(e.Error.Message, "terminée") {
		t.Errorf("closed conversation: %d %s", status, body)
	}
	if !bytes.Contains(body, []byte("fichiers")) {
		t.Errorf("closed conversation: %s", body)
	}
}

// TestCustomerAndAgentShareTheQuota: the quota is the conversation's, whoever sends.
func TestCustomerAndAgentShareTheQuota(t *testing.T) {
	cfg := testConfig()
	cfg.AttachmentQuotaFiles = 1
	d := startDesk(t, storetest.Open(t), cfg)
	alice := d.addAgent(t, "alice")
	cookie := d.session(t, alice.ID)
	dk := d.openDesk(t, cookie)
	dk.setReady(t)
	c := d.open(t)
	d.takeOver(t, dk, c)
	if status, body := d.upload(t, c, "photo.png", "image/png", pngFile); status != http.StatusCreated {
		t.Fatalf("customer upload: %d %s", status, body)
	}
	status, _, body := d.deskCall(t, cookie, "POST", "/conversations/"+c.ID+"/attachments?name=bon.pdf", pdfFile, "Content-Type", "application/pdf")
	if e := decode[errorBody](t, body); status != http.StatusRequestEntityTooLarge || e.Error.Code != "quota_exceeded" ||
		!strings.Contains(e.Error.Message, "le nombre maximal de fichiers (1)") {
		t.Errorf("agent upload past the quota: %d %s", status, body)
	}
}

// checkFileHeaders: a downloaded file can run nothing, even opened on its own in a tab (its
// CSP allows no script, no style, no frame around it), and is never sniffed into another type.
func checkFileHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s %q, want %q", what, k, got, want)
		}
	}
}
