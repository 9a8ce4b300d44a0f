package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/relais/relais/apperr"
	"github.com/relais/relais/privacy"
	"github.com/relais/relais/store"
)

// The operators' privacy commands (package privacy, docs/privacy.md): `relais privacy erase`,
// `relais privacy export`, `relais privacy purge` and `relais audit`, on the Redis of
// REDIS_URL. The desk's supervisors erase and export the same way through the desk's API
// (package server).

var errPrivacyNoRedis = errors.New("REDIS_URL n'est pas défini : indiquez le Redis du serveur")

// runPrivacy is `relais privacy erase|export`.
func runPrivacy(env *Env, args []string) error {
	return withPrivacy(env, func(st *store.Store) error { return runPrivacyOn(env, st, args) })
}

// runAudit is `relais audit`: the audit trail of privacy actions.
func runAudit(env *Env, args []string) error {
	return withPrivacy(env, func(st *store.Store) error { return runAuditOn(env, st, args) })
}

// withPrivacy opens the Redis of REDIS_URL for run; a usage mistake or a request for help is
// answered first, without Redis.
func withPrivacy(env *Env, run func(*store.Store) error) error {
	if err := run(nil); !errors.Is(err, errNeedStore) {
		return err
	}
	url := env.Getenv("REDIS_URL")
	if url == "" {
		return errPrivacyNoRedis
	}
	st, err := openStore(env, url, env.logger())
	if err != nil {
		return err
	}
	defer st.Close()
	return run(st)
}

// errNeedStore says the command line is right and the command needs the store to go on.
var errNeedStore = errors.New("store needed")

// privacyService reads RELAIS_RETENTION_AUDIT and returns the service on st.
func privacyService(env *Env, st *store.Store) (*privacy.Service, error) {
	retention, err := auditRetention(env)
	if err != nil {
		return nil, err
	}
	return privacy.New(st, privacy.Options{AuditRetention: retention}), nil
}

// auditRetention is RELAIS_RETENTION_AUDIT, for relais privacy, relais audit and the server.
func auditRetention(env *Env) (time.Duration, error) {
	v := env.Getenv("RELAIS_RETENTION_AUDIT")
	if v == "" {
		return privacy.DefaultAuditRetention, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("RELAIS_RETENTION_AUDIT : durée invalide %q (par exemple 8760h)", v)
	}
	return d, nil
}

func runPrivacyOn(env *Env, st *store.Store, args []string) error {
	if len(args) == 0 {
		return usageError{"sous-commande attendue : erase, export, purge"}
	}
	cmd := args[0]
	if cmd == "purge" {
		return runPurge(env, st, args[1:])
	}
	if cmd != "erase" && cmd != "export" {
		return usageError{fmt.Sprintf("sous-commande inconnue %q : erase, export, purge", cmd)}
	}
	fs := newFlags(env, "privacy "+cmd, "privacy "+cmd+" (--customer ID | --email E | --phone TEL | --conversation ID) [--by NOM]"+
		map[string]string{"erase": " --yes", "export": " [--format zip|json] [--out FICHIER]"}[cmd])
	var sub privacy.Subject
	fs.StringVar(&sub.CustomerID, "customer", "", "id de la fiche client")
	fs.StringVar(&sub.Email, "email", "", "le client qui a cette adresse e-mail")
	fs.StringVar(&sub.Phone, "phone", "", "le client qui a ce numéro (un seul client)")
	fs.StringVar(&sub.ConversationID, "conversation", "", "une conversation anonyme")
	by := fs.String("by", env.Getenv("USER"), "qui fait la demande (pour le journal d'audit)")
	yes := fs.Bool("yes", false, "confirme l'effacement, définitif")
	var out exportOut
	if cmd == "export" {
		fs.StringVar(&out.format, "format", "zip", "zip : le document export.json et les fichiers joints ; json : le document seul")
		fs.StringVar(&out.path, "out", "", "écrit l'export dans ce fichier (par défaut : la sortie standard)")
	}
	if rest, err := parse(fs, args[1:]); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	if cmd == "export" && out.format != "zip" && out.format != "json" {
		return usageError{fmt.Sprintf("--format %q : zip ou json", out.format)}
	}
	if cmd == "export" && out.format == "zip" && out.path == "" && isTerminal(env.Stdout) {
		return usageError{"l'export ZIP ne s'affiche pas : indiquez --out FICHIER (ou --format json pour le document seul)"}
	}
	if cmd == "erase" && !*yes {
		return usageError{"l'effacement est définitif : ajoutez --yes pour confirmer (relais privacy export d'abord pour garder une copie)"}
	}
	if st == nil {
		return errNeedStore
	}
	svc, err := privacyService(env, st)
	if err != nil {
		return err
	}
	actor := privacy.Actor{By: *by, From: "cli@" + hostname()}
	if cmd == "export" {
		return writeExport(env, svc, sub, actor, out)
	}
	rep, err := svc.Erase(env.Ctx, sub, actor)
	if err != nil {
		return privacyError(err)
	}
	fmt.Fprintf(env.Stdout, "Effacement fait (%s, empreinte %s ; entrée %s du journal d'audit) :\n",
		subjectLabel(rep.Subject), rep.SubjectHash, rep.ID)
	printCounts(env, rep.Counts)
	return nil
}

// runPurge is `relais privacy purge [--dry-run]`: what is past its retention
// (RELAIS_RETENTION_CUSTOMERS, RELAIS_RETENTION_REQUESTS) is listed and, without --dry-run,
// erased.
func runPurge(env *Env, st *store.Store, args []string) error {
	fs := newFlags(env, "privacy purge", "privacy purge [--dry-run] [--by NOM]")
	dry := fs.Bool("dry-run", false, "liste ce qui serait effacé, sans rien effacer")
	by := fs.String("by", firstOf(env.Getenv("USER"), "purge"), "qui lance la purge (pour le journal d'audit)")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	r, err := retention(env)
	if err != nil {
		return err
	}
	if st == nil {
		return errNeedStore
	}
	svc, err := privacyService(env, st)
	if err != nil {
		return err
	}
	listed, err := svc.Purge(env.Ctx, r, *dry, privacy.Actor{By: *by, From: "cli@" + hostname()})
	what, tail := "effacé", ""
	if *dry {
		what, tail = "à effacer", " (rien n'est effacé : --dry-run)"
	}
	for _, p := range listed {
		fmt.Fprintf(env.Stdout, "%-8s %s  dernier contact %s  %s\n", purgedLabel(p.Subject), p.ID, p.LastContact.Format("2006-01-02"), what)
	}
	if err != nil {
		return privacyError(err)
	}
	fmt.Fprintf(env.Stdout, "%d élément(s) au-delà de leur durée de conservation%s.\n", len(listed), tail)
	return nil
}

// startPurge runs the purge from relais serve every RELAIS_PURGE_INTERVAL ("" or "0": never),
// once per interval across every instance sharing the Redis (privacy.Service.PurgeDue):
// each instance asks at least hourly, the first to claim the period purges.
func startPurge(env *Env, st *store.Store, log *slog.Logger) error {
	every, err := purgeInterval(env)
	if err != nil || every == 0 {
		return err
	}
	r, err := retention(env)
	if err != nil {
		return err
	}
	svc, err := privacyService(env, st)
	if err != nil {
		return err
	}
	by := privacy.Actor{By: "purge", From: "serve@" + hostname()}
	go func() {
		tick := time.NewTicker(min(every, time.Hour))
		defer tick.Stop()
		for {
			ran, listed, err := svc.PurgeDue(env.Ctx, r, every, by)
			switch {
			case err != nil && env.Ctx.Err() == nil:
				log.Warn("purge des données au-delà de leur durée de conservation", "err", err)
			case ran:
				log.Info("purge des données au-delà de leur durée de conservation", "erased", len(listed))
			}
			select {
			case <-env.Ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return nil
}

// purgeInterval is RELAIS_PURGE_INTERVAL: how often relais serve purges (0: never).
func purgeInterval(env *Env) (time.Duration, error) {
	v := env.Getenv("RELAIS_PURGE_INTERVAL")
	if v == "" || v == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		return 0, fmt.Errorf("RELAIS_PURGE_INTERVAL : durée invalide %q (par exemple 24h, une minute au moins ; 0 : jamais)", v)
	}
	return d, nil
}

func purgedLabel(subject string) string {
	if subject == privacy.SubjectCustomer {
		return "client"
	}
	return "demande"
}

// retention reads RELAIS_RETENTION_CUSTOMERS and RELAIS_RETENTION_REQUESTS ("0": keep).
func retention(env *Env) (privacy.Retention, error) {
	r := privacy.Retention{Customers: privacy.DefaultCustomerRetention, Requests: privacy.DefaultRequestRetention}
	for _, v := range []struct {
		name string
		to   *time.Duration
	}{{"RELAIS_RETENTION_CUSTOMERS", &r.Customers}, {"RELAIS_RETENTION_REQUESTS", &r.Requests}} {
		raw := env.Getenv(v.name)
		if raw == "" {
			continue
		}
		if raw == "0" {
			*v.to = 0
			continue
		}
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			return r, fmt.Errorf("%s : durée invalide %q (par exemple 26280h ; 0 : sans limite)", v.name, raw)
		}
		*v.to = d
	}
	return r, nil
}

// exportOut is where and how relais privacy export writes: format zip or json, to the file
// path ("": the standard output).
type exportOut struct {
	format, path string
}

// writeExport exports the subject: the ZIP of the document and the files, or the JSON
// document alone. A file is written whole or not at all (a temporary file, readable by its
// owner only, renamed at the end).
func writeExport(env *Env, svc *privacy.Service, sub privacy.Subject, actor privacy.Actor, out exportOut) error {
	x, rep, err := svc.Export(env.Ctx, sub, actor)
	if err != nil {
		return privacyError(err)
	}
	write := func(w io.Writer) error {
		if out.format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(x)
		}
		return svc.WriteArchive(env.Ctx, &x, w)
	}
	if out.path == "" {
		err = write(env.Stdout)
	} else {
		err = writeFileAtomic(out.path, write)
	}
	if err != nil {
		return privacyError(err)
	}
	fmt.Fprintf(env.Stderr, "Export inscrit au journal d'audit (entrée %s).\n", rep.ID)
	return nil
}

// writeFileAtomic writes path with write through a temporary file of the same folder,
// created with mode 0600, renamed over path once complete; on failure nothing is left.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".relais-export-*")
	if err != nil {
		return fmt.Errorf("export : %w", err)
	}
	defer os.Remove(f.Name()) // after the rename, there is nothing left to remove
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export : %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export : %w", err)
	}
	return nil
}

// countLabels are the kinds of record of an erasure or an export, in the order printed.
var countLabels = []struct{ kind, label string }{
	{"customers", "fiches client"}, {"requests", "demandes"}, {"activities", "activités"},
	{"left_messages", "messages laissés"}, {"tags", "tags"}, {"conversations", "conversations"},
	{"events", "événements des conversations"}, {"notes", "notes internes"},
	{"attachments", "pièces jointes"}, {"bot_sessions", "sessions du bot"}, {"conversation_links", "liens conversation → client"},
	{"index_entries", "entrées d'index"}, {"tasks", "tâches de routage"},
	{"notices", "notifications de routage"},
}

func printCounts(env *Env, counts map[string]int64) {
	for _, c := range countLabels {
		if n, ok := counts[c.kind]; ok {
			fmt.Fprintf(env.Stdout, "  %-30s %d\n", c.label, n)
		}
	}
}

func subjectLabel(kind string) string {
	switch kind {
	case privacy.SubjectConversation:
		return "conversation"
	case privacy.SubjectRequest:
		return "demande"
	case privacy.SubjectActivity:
		return "activité"
	case privacy.SubjectAgent:
		return "agent"
	}
	return "client"
}

func runAuditOn(env *Env, st *store.Store, args []string) error {
	fs := newFlags(env, "audit", "audit [--limit N] [--json] [--customer ID | --conversation ID]")
	limit := fs.Int("limit", 100, "les N dernières entrées (0 : toutes)")
	asJSON := fs.Bool("json", false, "une entrée JSON par ligne")
	customer := fs.String("customer", "", "seulement les entrées de ce client")
	conv := fs.String("conversation", "", "seulement les entrées de cette conversation")
	if rest, err := parse(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError{fmt.Sprintf("argument inattendu %q", rest[0])}
	}
	if st == nil {
		return errNeedStore
	}
	svc, err := privacyService(env, st)
	if err != nil {
		return err
	}
	want := ""
	switch {
	case *customer != "":
		want = privacy.SubjectHash(privacy.SubjectCustomer, *customer)
	case *conv != "":
		want = privacy.SubjectHash(privacy.SubjectConversation, *conv)
	}
	entries, err := svc.Audit.EntriesOf(env.Ctx, want, *limit)
	if err != nil {
		return err
	}
	for _, e := range entries {
		printEntry(env, e, *asJSON)
	}
	return nil
}

func printEntry(env *Env, e privacy.Entry, asJSON bool) {
	if asJSON {
		line, _ := json.Marshal(e)
		fmt.Fprintf(env.Stdout, "%s\n", line)
		return
	}
	action := map[string]string{privacy.ActionErase: "effacement", privacy.ActionExport: "export", privacy.ActionRead: "lecture",
		privacy.ActionSearch: "recherche", privacy.ActionCreate: "création", privacy.ActionEdit: "modification",
		privacy.ActionLink: "rattachement", privacy.ActionNote: "note", privacy.ActionAttach: "fichier", privacy.ActionLogin: "connexion",
		privacy.ActionLogout: "déconnexion"}[e.Action]
	var counts []string
	for _, c := range countLabels {
		if n := e.Counts[c.kind]; n > 0 {
			counts = append(counts, fmt.Sprintf("%s %d", c.label, n))
		}
	}
	fmt.Fprintf(env.Stdout, "%s  %-10s  %s %s  par %s (%s)  %s\n", e.At.Format(time.RFC3339), firstOf(action, e.Action),
		subjectLabel(e.Subject), e.SubjectHash, e.By, e.From, firstOf(strings.Join(counts, ", "), "rien"))
}

// privacyError gives a refusal as its French message, any other error as it is.
func privacyError(err error) error {
	if apperr.CodeOf(err) != apperr.Internal {
		return errors.New(strings.TrimSuffix(apperr.MessageOf(err), "."))
	}
	return err
}

// isTerminal says whether w is a terminal, where a ZIP archive would be garbage.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "?"
	}
	return h
}
