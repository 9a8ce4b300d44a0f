package e2e_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relais/relais/cli"
)

// serveDemo runs `relais serve` as a newcomer's `go run .` does: the embedded store (no
// REDIS_URL) and no company backend (no ORDER_API_URL, STORE_API_URL, APPOINTMENT_API_URL).
// It returns the server's address once it listens and stops it when the test ends.
func serveDemo(t *testing.T) string {
	t.Helper()
	needBrowser(t)
	for _, k := range []string{"REDIS_URL", "ORDER_API_URL", "STORE_API_URL", "APPOINTMENT_API_URL", "RELAIS_BOT_DIR"} {
		t.Setenv(k, "")
	}
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), w, errorsOnly{t})
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("relais serve exited with %d", code)
		}
	})
	listening := regexp.MustCompile(`à l'écoute sur (http://\S+)`)
	lines := bufio.NewScanner(out)
	base := ""
	for base == "" && lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatal("relais serve printed no address")
	}
	go io.Copy(io.Discard, out) // the rest of its output (the demo agent's password)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("relais serve on %s never answered: %v", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDemoShowcaseFlowsEndWell: on `relais serve` with the embedded store and no company
// backend, the demo page's showcase flows — where is my order, the nearest shop, an
// appointment — end with an answer, not with « je ne parviens pas », and the hours the demo
// page gives for the conseillers are the bot's.
func TestDemoShowcaseFlowsEndWell(t *testing.T) {
	base := serveDemo(t)
	ctx, _ := newTab(t)
	openWidget(t, ctx, base)

	hours := regexp.MustCompile(`\d+ h à \d+ h`)
	page := eval[string](t, ctx, `document.getElementById("assistance").textContent`)
	pageHours := hours.FindString(page)
	if pageHours == "" {
		t.Fatalf("the demo page gives no hours for the conseillers: %q", page)
	}

	step := func(text, want string) string {
		t.Helper()
		n := len(messages(t, ctx))
		say(t, ctx, text)
		waitUntil(t, ctx, "the bot answers « "+text+" »",
			`r.querySelectorAll(".log .msg").length > `+itoa(n)+` && (`+lastBot+`).includes(`+quote(want)+`)`)
		got := eval[string](t, ctx, `(() => { const r = `+shadow+`; return `+lastBot+`; })()`)
		if strings.Contains(got, "ne parviens pas") {
			t.Errorf("« %s »: the demo failed: %q", text, got)
		}
		return got
	}
	step("où en est ma commande", "numéro de commande")
	step("CMD-48213", "Votre commande CMD-48213 est")
	step("quel est le magasin le plus proche de chez moi ?", "code postal")
	shop := step("69003", "La boutique la plus proche du 69003 est")
	if got := hours.FindString(shop); got != pageHours {
		t.Errorf("the bot says the shops open %q, the demo page says the conseillers work %q", got, pageHours)
	}
	step("je voudrais prendre rendez-vous avec un conseiller", "motif")
	step("Assistance technique", "code postal")
	step("69003", "Quel jour")
	day := time.Now().AddDate(0, 0, 7)
	for day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	step(day.Format("02/01/2006"), "À quelle heure")
	step("14h30", "Je réserve un rendez-vous")
	step("oui", "Votre rendez-vous est confirmé")
	screenshot(t, ctx, "demo-appointment")

	help := step("je veux parler à un conseiller", "conseiller")
	if got := hours.FindString(help); got != "" && got != pageHours {
		t.Errorf("the bot says conseillers work %q, the demo page %q", got, pageHours)
	}
}

// errorsOnly passes the server's errors to the test's log and drops the rest of its log.
type errorsOnly struct{ t *testing.T }

func (w errorsOnly) Write(p []byte) (int, error) {
	if strings.Contains(string(p), `"level":"ERROR"`) {
		w.t.Log(string(p))
	}
	return len(p), nil
}
