package privacy

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"strings"
	"unicode"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/conversation"
)

// ArchiveDocument is the name of the export's document in its ZIP.
const ArchiveDocument = "export.json"

// maxArchiveName bounds the part of an entry's name that comes from the sender's file name,
// in characters.
const maxArchiveName = 80

// WriteArchive writes x as a ZIP archive to w (docs/privacy.md, « Export »): the content of
// every file of the person's conversations, under ArchiveName, then export.json, the
// export's document, in which each attachment names its entry (File). A file gone since x
// was read (erased, expired) has no entry and its description no name. Export records the
// export in the audit trail; WriteArchive only reads the files. An error leaves w with an
// archive cut short, which no ZIP reader opens.
func (s *Service) WriteArchive(ctx context.Context, x *Export, w io.Writer) error {
	zw := zip.NewWriter(w)
	for i := range x.Conversations {
		ce := &x.Conversations[i]
		for j := range ce.Attachments {
			if err := s.archiveFile(ctx, zw, x, ce.ID, &ce.Attachments[j]); err != nil {
				return err
			}
		}
	}
	doc, err := zw.CreateHeader(&zip.FileHeader{Name: ArchiveDocument, Method: zip.Deflate, Modified: x.ExportedAt})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(doc)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		return err
	}
	return zw.Close()
}

// archiveFile adds the content of attachment a of conversation conv to zw, stored as it is
// (images and PDF are compressed already), and names its entry in a.
func (s *Service) archiveFile(ctx context.Context, zw *zip.Writer, x *Export, conv string, a *ExportedAttachment) error {
	a.File = ""
	_, data, err := s.convs.AttachmentContent(ctx, conv, a.ID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	name := ArchiveName(conv, a.Attachment)
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: x.ExportedAt})
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	a.File = name
	return nil
}

// ArchiveName is the entry of attachment a of conversation conv in the export's ZIP:
// files/<conversation>/<attachment id>-<name>. The name keeps letters and digits of any
// script, spaces and « . - _ ( ) + , ' @ »; any other character (a slash, a colon, a
// wildcard…) becomes « _ », trailing dots and spaces go, and it is cut to 80 characters.
// The id before it makes every entry unique and no path element « .. ».
func ArchiveName(conv string, a conversation.Attachment) string {
	name := []rune(safeName(conversation.CleanName(a.Name)))
	if len(name) > maxArchiveName {
		name = name[:maxArchiveName]
	}
	file := strings.TrimRight(string(name), ". ")
	if file == "" {
		file = "fichier"
	}
	return "files/" + safeName(conv) + "/" + safeName(a.ID) + "-" + file
}

// safeName replaces with « _ » every character some file system or ZIP reader refuses or
// reads as a path.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || strings.ContainsRune(" .-_()+,'@", r) {
			return r
		}
		return '_'
	}, s)
}
