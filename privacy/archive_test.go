package privacy_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/relais/relais/conversation"
	"github.com/relais/relais/privacy"
)

// TestExportArchiveHoldsEveryRecordAndFile: the ZIP of her export holds export.json, with
// every record made for her and nothing of the others', and the bytes of each of her files
// under the entry its description names, a name no file system refuses; a file erased
// between the document and the archive has neither entry nor name.
func TestExportArchiveHoldsEveryRecordAndFile(t *testing.T) {
	w := setUp(t)
	oddBytes := []byte("\x89PNG\r\n\x1a\nfacture de mars")
	odd, err := w.convs.PutAttachment(ctx, w.ameliesC[0], `..\..\Facture: mars?*<1>.png`, oddBytes,
		conversation.AttachmentQuota{Files: 5, Bytes: 1 << 20})
	mustNoErr(t, err)
	x, _, err := w.svc.Export(ctx, privacy.Subject{CustomerID: w.amelie.ID}, operator)
	mustNoErr(t, err)

	entries := unzip(t, w, &x)
	var compact bytes.Buffer // the document is indented, its bot sessions too
	mustNoErr(t, json.Compact(&compact, entries[privacy.ArchiveDocument]))
	w.assertHersOnly(t, compact.String())
	var doc privacy.Export
	mustNoErr(t, json.Unmarshal(entries[privacy.ArchiveDocument], &doc))
	files := 0
	for _, c := range doc.Conversations {
		for _, a := range c.Attachments {
			files++
			_, want, err := w.convs.AttachmentContent(ctx, c.ID, a.ID)
			mustNoErr(t, err)
			if got, ok := entries[a.File]; !ok || !bytes.Equal(got, want) || !strings.HasPrefix(a.File, "files/"+c.ID+"/"+a.ID+"-") {
				t.Errorf("attachment %s of %s: entry %q holds %q (present %v), want its %d bytes", a.ID, c.ID, a.File, got, ok, len(want))
			}
		}
	}
	if files != 4 || len(entries) != 5 {
		t.Errorf("%d files described, %d entries; want her 4 files and export.json", files, len(entries))
	}
	wantOdd := "files/" + w.ameliesC[0] + "/" + odd.ID + "-Facture_ mars___1_.png"
	if !bytes.Equal(entries[wantOdd], oddBytes) {
		t.Errorf("the oddly named file: no entry %q with its bytes (entries %v)", wantOdd, names(entries))
	}

	// A file erased meanwhile: the archive goes on without it.
	mustNoErr(t, w.convs.RemoveAttachment(ctx, w.ameliesC[0], odd))
	entries = unzip(t, w, &x)
	var again privacy.Export
	mustNoErr(t, json.Unmarshal(entries[privacy.ArchiveDocument], &again))
	for _, c := range again.Conversations {
		for _, a := range c.Attachments {
			if a.ID == odd.ID && a.File != "" {
				t.Errorf("the erased file is named %q", a.File)
			}
		}
	}
	if _, ok := entries[wantOdd]; ok || len(entries) != 4 {
		t.Errorf("after the file's erasure: entries %v, want 3 files and export.json", names(entries))
	}
}

// unzip writes x's archive and returns its entries by name.
func unzip(t *testing.T, w *world, x *privacy.Export) map[string][]byte {
	t.Helper()
	var buf bytes.Buffer
	mustNoErr(t, w.svc.WriteArchive(ctx, x, &buf))
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	mustNoErr(t, err)
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		mustNoErr(t, err)
		data, err := io.ReadAll(r)
		mustNoErr(t, err)
		r.Close()
		out[f.Name] = data
	}
	return out
}

func names(entries map[string][]byte) []string {
	var out []string
	for k := range entries {
		out = append(out, k)
	}
	return out
}

// TestArchiveName: entry names keep letters of any script and lose what a file system or a
// ZIP reader would read as a path, a drive or a wildcard.
func TestArchiveName(t *testing.T) {
	const conv = "abcdefghijklmnopqrstuv"
	for name, want := range map[string]string{
		"photo.png":                       "photo.png",
		"Colis abîmé (1).jpeg":            "Colis abîmé (1).jpeg",
		`C:\Users\léa\reçu.pdf`:           "reçu.pdf",
		"../../etc/passwd":                "passwd",
		"a:b*c?d\"e<f>g|h.pdf":            "a_b_c_d_e_f_g_h.pdf",
		"fin.  ":                          "fin",
		"...":                             "fichier",
		"模型 ファイル.png":                     "模型 ファイル.png",
		strings.Repeat("é", 100) + ".pdf": strings.Repeat("é", 80),
	} {
		got := privacy.ArchiveName(conv, conversation.Attachment{ID: "id_-1", Name: name})
		if want := "files/" + conv + "/id_-1-" + want; got != want {
			t.Errorf("%q: got %q, want %q", name, got, want)
		}
	}
}
