package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cpuMetric is the process collector's CPU time, in seconds, in a server's /metrics.
const cpuMetric = "process_cpu_seconds_total"

// metricsURLs are where the run reads the servers' CPU: cfg.MetricsURLs, or each server
// URL's /metrics.
func metricsURLs(cfg Config) []string {
	if len(cfg.MetricsURLs) > 0 {
		out := make([]string, len(cfg.MetricsURLs))
		for i, u := range cfg.MetricsURLs {
			u = strings.TrimSuffix(u, "/")
			if !strings.HasSuffix(u, "/metrics") {
				u += "/metrics" // the address alone (RELAIS_METRICS_ADDR)
			}
			out[i] = u
		}
		return out
	}
	out := make([]string, len(cfg.URLs))
	for i, u := range cfg.URLs {
		out[i] = u + "/metrics"
	}
	return out
}

// serverCPU sums process_cpu_seconds_total over urls, read in parallel.
func serverCPU(ctx context.Context, client *http.Client, urls []string, token string) (time.Duration, error) {
	secs := make([]float64, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { secs[i], errs[i] = readCPU(ctx, client, u, token) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	var sum float64
	for _, s := range secs {
		sum += s
	}
	return time.Duration(sum * float64(time.Second)), nil
}

// readCPU reads process_cpu_seconds_total in one /metrics, with the metrics token if any.
func readCPU(ctx context.Context, client *http.Client, url, token string) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/plain")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s : %w", url, err)
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return 0, fmt.Errorf("%s : 401, jeton des métriques manquant ou faux (--metrics-token ou RELAIS_METRICS_TOKEN)", url)
	case http.StatusForbidden:
		return 0, fmt.Errorf("%s : 403, métriques réservées aux connexions locales (--metrics-token, ou --metrics-url vers RELAIS_METRICS_ADDR)", url)
	case http.StatusNotFound:
		return 0, fmt.Errorf("%s : 404, métriques sur une autre adresse ? (--metrics-url, RELAIS_METRICS_ADDR du serveur)", url)
	default:
		return 0, fmt.Errorf("%s : statut %d", url, res.StatusCode)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), cpuMetric+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("%s : %s illisible : %w", url, cpuMetric, err)
			}
			return f, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("%s : %w", url, err)
	}
	return 0, fmt.Errorf("%s : pas de %s", url, cpuMetric)
}

// cpuMeter reads the servers' CPU before and after the measure.
type cpuMeter struct {
	cfg    Config
	client *http.Client
	urls   []string
	before time.Duration
	err    error
}

func startCPU(ctx context.Context, cfg Config) *cpuMeter {
	if !cfg.ServerCPU {
		return nil
	}
	m := &cpuMeter{cfg: cfg, client: &http.Client{Timeout: 10 * time.Second}, urls: metricsURLs(cfg)}
	m.before, m.err = serverCPU(ctx, m.client, m.urls, cfg.MetricsToken)
	return m
}

// stop fills res's server CPU fields.
func (m *cpuMeter) stop(ctx context.Context, res *Result) {
	if m == nil {
		return
	}
	res.MetricsURLs = m.urls
	if m.err == nil {
		var after time.Duration
		after, m.err = serverCPU(ctx, m.client, m.urls, m.cfg.MetricsToken)
		res.ServerCPU = after - m.before
	}
	if m.err != nil {
		res.ServerCPUError = m.err.Error()
		return
	}
	if res.Turns > 0 {
		res.CPUPerTurn = res.ServerCPU / time.Duration(res.Turns)
	}
}
