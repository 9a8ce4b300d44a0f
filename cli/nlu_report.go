package cli

import (
	"fmt"

	"github.com/relais/relais/intents"
)

// policyLine says which temperature and thresholds a model decides with, and where they
// come from.
func policyLine(t float32, p intents.Policy, c *intents.CalibrationReport) string {
	line := fmt.Sprintf("température %.2f, seuil %.2f, marge d'ambiguïté %.2f", t, p.MinConfidence, p.AmbiguityMargin)
	if c == nil {
		return line + " (par défaut)"
	}
	return line + fmt.Sprintf(" (choisis par validation croisée en %d plis pour au plus %.0f %% de rejets : %.1f %% rejetés, exactitude %.3f, %.1f %% ambigus)",
		c.Folds, 100*c.Target, 100*c.InScopeRejected, c.Accuracy, 100*c.Ambiguous)
}

func printPolicy(env *Env, m *intents.Model) {
	c := intents.NewClassifier(m)
	fmt.Fprintf(env.Stdout, "politique : %s\n", policyLine(m.Temperature, c.Policy, m.Calibration))
}

// maxShownErrors bounds the misclassified examples printed per intent.
const maxShownErrors = 5

func printCVReport(env *Env, r intents.CVReport) {
	w := env.Stdout
	fmt.Fprintf(w, "validation croisée en %d plis sur %d exemples\n", r.Folds, r.N)
	fmt.Fprintf(w, "exactitude      %.4f\n", r.Accuracy)
	fmt.Fprintf(w, "rejetés         %.2f %% des textes d'une intention réelle\n", 100*r.InScopeRejected)
	fmt.Fprintf(w, "politique       %s\n\n", policyLine(r.Temperature, r.Policy, r.Calibration))
	fmt.Fprintln(w, "par intention, la moins bien reconnue d'abord :")
	for _, in := range r.Intents {
		fmt.Fprintf(w, "%-40s %5.1f %%  (%d exemples)", in.Intent, 100*in.Accuracy, in.N)
		if in.N < intents.MinExamplesAdvised {
			fmt.Fprintf(w, "  — ajoutez des exemples")
		}
		fmt.Fprintln(w)
		if len(in.ConfusedWith) > 0 {
			fmt.Fprint(w, "    confondue avec :")
			for i, c := range in.ConfusedWith {
				if i > 0 {
					fmt.Fprint(w, ",")
				}
				fmt.Fprintf(w, " %s (%d)", c.Intent, c.Count)
			}
			fmt.Fprintln(w)
		}
		for i, e := range in.Errors {
			if i == maxShownErrors {
				fmt.Fprintf(w, "    … et %d autres\n", len(in.Errors)-maxShownErrors)
				break
			}
			fmt.Fprintf(w, "    « %s » → %s (%.2f)\n", e.Text, e.Got, e.Confidence)
		}
	}
}
