package apperr_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"testing"

	"github.com/relais/relais/apperr"
)

func TestCodeAndMessageThroughWrapping(t *testing.T) {
	cause := errors.New("redis: connection refused")
	tests := []struct {
		name     string
		err      error
		code     apperr.Code
		message  string
		internal bool // the message is the generic one
	}{
		{name: "plain", err: apperr.New(apperr.NotFound, "Conversation introuvable."), code: apperr.NotFound, message: "Conversation introuvable."},
		{name: "wrapped by fmt", err: fmt.Errorf("post: %w", apperr.New(apperr.Invalid, "Le message est vide.")), code: apperr.Invalid, message: "Le message est vide."},
		{name: "with a cause", err: apperr.Wrap(apperr.Unavailable, "Indisponible.", cause), code: apperr.Unavailable, message: "Indisponible."},
		{name: "limited", err: apperr.Limited("Trop de messages.", 0), code: apperr.TooMany, message: "Trop de messages."},
		{name: "foreign error", err: cause, code: apperr.Internal, internal: true},
		{name: "internal without message", err: apperr.New(apperr.Internal, ""), code: apperr.Internal, internal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf: got %s, want %s", got, tt.code)
			}
			got := apperr.MessageOf(tt.err)
			if tt.internal && got != apperr.MessageOf(nil) || !tt.internal && got != tt.message {
				t.Errorf("MessageOf: got %q, want %q", got, tt.message)
			}
		})
	}
	if !errors.Is(apperr.Wrap(apperr.Unavailable, "x", cause), cause) {
		t.Error("Wrap: the cause is not reachable with errors.Is")
	}
}

// TestStatusOfEveryCode: each code has its status, an unknown code 500 (never 0, which makes
// net/http panic).
func TestStatusOfEveryCode(t *testing.T) {
	want := map[apperr.Code]int{
		apperr.Invalid:              400,
		apperr.NotFound:             404,
		apperr.Conflict:             409,
		apperr.Unauthorized:         401,
		apperr.Forbidden:            403,
		apperr.TooMany:              429,
		apperr.Unavailable:          503,
		apperr.Internal:             500,
		apperr.PreconditionRequired: 428,
		apperr.Duplicate:            409,
		apperr.DuplicateTag:         409,
		apperr.InvalidIdentity:      422,
		apperr.AlreadyLinked:        409,
		apperr.UnsupportedMedia:     415,
		apperr.RequestTimeout:       408,
		apperr.KeyReused:            422,
		apperr.FileTooLarge:         413,
		apperr.FileType:             415,
		apperr.QuotaExceeded:        413,
	}
	codes := apperr.Codes()
	if len(codes) != len(want) {
		t.Errorf("Codes: %d codes, this test knows %d: give the new code its status here", len(codes), len(want))
	}
	for _, code := range codes {
		if _, ok := want[code]; !ok {
			t.Errorf("code %q: not in this test", code)
		}
	}
	for code, status := range want {
		if got := apperr.Status(code); got != status {
			t.Errorf("Status(%q) = %d, want %d", code, got, status)
		}
	}
	for _, code := range []apperr.Code{"", "no_such_code", "NOT_FOUND"} {
		if got := apperr.Status(code); got != 500 {
			t.Errorf("Status(%q) = %d, want 500", code, got)
		}
	}
}

// TestEveryDeclaredCodeHasAStatus reads apperr.go: a Code constant declared there but left out
// of the status table fails here.
func TestEveryDeclaredCodeHasAStatus(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "apperr.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	known, n := apperr.Codes(), 0
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for i, name := range vs.Names {
				value, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if !slices.Contains(known, apperr.Code(value)) {
					t.Errorf("%s (%q) has no status in the table", name.Name, value)
				}
			}
		}
	}
	if n != len(known) {
		t.Errorf("%d Code constants declared, %d codes in the table", n, len(known))
	}
}
