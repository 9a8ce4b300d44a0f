package conversation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
	"github.com/relais/relais/store/storetest"
)

const png = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

// TestAttachmentsLiveAsLongAsTheConversation: a file takes the conversation's lifetime, each
// later event renews it with the conversation's, and Delete erases and counts it.
func TestAttachmentsLiveAsLongAsTheConversation(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	s := conversation.NewStore(st, conversation.Options{TTL: time.Hour})
	c, err := s.Create(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.PutAttachment(ctx, c.ID, "photo.png", []byte(png), conversation.AttachmentQuota{Files: 2, Bytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	files, data := st.Key("conv", "{"+c.ID+"}", "files"), st.Key("conv", "{"+c.ID+"}", "files", "data")
	for _, k := range []string{files, data} {
		if ttl := st.Client.PTTL(ctx, k).Val(); ttl < 59*time.Minute {
			t.Errorf("%s: TTL %s, want the conversation's hour", k, ttl)
		}
		st.Client.PExpire(ctx, k, time.Minute) // as if the file were old
	}
	if _, err := s.Append(ctx, c.ID, []conversation.Event{conversation.Message("agent", "bonjour", nil)}, conversation.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{files, data} {
		if ttl := st.Client.PTTL(ctx, k).Val(); ttl < 59*time.Minute {
			t.Errorf("%s after an append: TTL %s, want renewed to an hour", k, ttl)
		}
	}
	got, content, err := s.AttachmentContent(ctx, c.ID, a.ID)
	if err != nil || got != a || string(content) != png {
		t.Errorf("read back: %+v %q %v", got, content, err)
	}
	e, err := s.Delete(ctx, c.ID)
	if err != nil || e.Files != 1 {
		t.Errorf("Delete: %+v %v, want 1 file", e, err)
	}
	if _, _, err := s.AttachmentContent(ctx, c.ID, a.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("after Delete: %v, want not found", err)
	}
}

// TestRemovedAttachmentGivesItsQuotaBack: the file whose event failed leaves no trace.
func TestRemovedAttachmentGivesItsQuotaBack(t *testing.T) {
	ctx := context.Background()
	s := conversation.NewStore(storetest.Open(t), conversation.Options{})
	c, _ := s.Create(ctx)
	q := conversation.AttachmentQuota{Files: 1, Bytes: 100}
	a, err := s.PutAttachment(ctx, c.ID, "a.png", []byte(png), q)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutAttachment(ctx, c.ID, "b.png", []byte(png), q); apperr.CodeOf(err) != apperr.QuotaExceeded {
		t.Fatalf("second file over a quota of one: %v", err)
	}
	if err := s.RemoveAttachment(ctx, c.ID, a); err != nil {
		t.Fatal(err)
	}
	big := []byte(png + strings.Repeat("x", 100-len(png)))
	if _, err := s.PutAttachment(ctx, c.ID, "c.png", big, q); err != nil {
		t.Errorf("after the removal, a file of the whole quota: %v", err)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"facture.pdf":             "facture.pdf",
		`C:\Users\léa\scan 1.jpg`: "scan 1.jpg",
		"../../etc/passwd":        "passwd",
		"  \x00bon\u202e.png\n ":  "bon.png",
		"":                        "fichier",
		"/":                       "fichier",
		strings.Repeat("é", 200):  strings.Repeat("é", conversation.MaxNameLength),
		"\xff\xfeinvalide.gif":    "invalide.gif",
	} {
		if got := conversation.CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{800: "800 octets", 1000: "1 ko", 1500: "1,5 ko", 5_000_000: "5 Mo", 20_000_000: "20 Mo", 2_345_678: "2,3 Mo"} {
		if got := conversation.FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
