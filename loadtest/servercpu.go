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

// The process collector's metrics read in each server's /metrics: its CPU time in seconds and
// its resident memory in bytes.
const (
	cpuMetric = "process_cpu_seconds_total"
	rssMetric = "process_resident_memory_bytes"
)

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

// usage is what the servers used, summed over them: CPU time so far and resident memory now.
type usage struct {
	cpu time.Duration
	rss int64
}

// serverUsage reads the usage of the servers at urls, in parallel.
func serverUsage(ctx context.Context, client *http.Client, urls []string, token string) (usage, error) {
	each := make([]sample, len(urls))
	errs := make([]error, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() { each[i], errs[i] = readSample(ctx, client, u, token) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return usage{}, err
	}
	var cpu, rss float64
	for _, s := range each {
		cpu += s.cpu
		rss += s.rss
	}
	return usage{cpu: time.Duration(cpu * float64(time.Second)), rss: int64(rss)}, nil
}

// sample is one server's CPU seconds and resident bytes (0 when its /metrics has none).
type sample struct{ cpu, rss float64 }

// readSample reads one /metrics, with the metrics token if any.
func readSample(ctx context.Context, client *http.Client, url, token string) (sample, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return sample{}, err
	}
	req.Header.Set("Accept", "text/plain")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		return sample{}, fmt.Errorf("%s : %w", url, err)
	}
	defer res.Body.Close()
	if err := metricsStatus(url, res.StatusCode); err != nil {
		return sample{}, err
	}
	var s sample
	found := false
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		if !ok || name != cpuMetric && name != rssMetric {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return sample{}, fmt.Errorf("%s : %s illisible : %w", url, name, err)
		}
		if name == cpuMetric {
			s.cpu, found = f, true
		} else {
			s.rss = f
		}
	}
	if err := sc.Err(); err != nil {
		return sample{}, fmt.Errorf("%s : %w", url, err)
	}
	if !found {
		return sample{}, fmt.Errorf("%s : pas de %s", url, cpuMetric)
	}
	return s, nil
}

// metricsStatus explains a /metrics answer that is not 200.
func metricsStatus(url string, status int) error {
	switch status {
	case http.StatusOK:
		return nil
	case http.StatusUnauthorized:
		return fmt.Errorf("%s : 401, jeton des métriques manquant ou faux (--metrics-token ou RELAIS_METRICS_TOKEN)", url)
	case http.StatusForbidden:
		return fmt.Errorf("%s : 403, métriques réservées aux connexions locales (--metrics-token, ou --metrics-url vers RELAIS_METRICS_ADDR)", url)
	case http.StatusNotFound:
		return fmt.Errorf("%s : 404, métriques sur une autre adresse ? (--metrics-url, RELAIS_METRICS_ADDR du serveur)", url)
	}
	return fmt.Errorf("%s : statut %d", url, status)
}

// serverMeter reads the servers' usage, and Redis's memory when the run can, before and after
// the measure.
type serverMeter struct {
	cfg         Config
	client      *http.Client
	urls        []string
	before      usage
	err         error
	redisBefore int64
	redisErr    error
}

func startMeter(ctx context.Context, cfg Config) *serverMeter {
	m := &serverMeter{cfg: cfg, client: &http.Client{Timeout: 10 * time.Second}, urls: metricsURLs(cfg)}
	if cfg.ServerCPU {
		m.before, m.err = serverUsage(ctx, m.client, m.urls, cfg.MetricsToken)
	}
	if cfg.RedisMemory != nil {
		m.redisBefore, m.redisErr = cfg.RedisMemory(ctx)
	}
	return m
}

// stop fills res's server and Redis fields.
func (m *serverMeter) stop(ctx context.Context, res *Result) {
	if m.cfg.RedisMemory != nil {
		m.stopRedis(ctx, res)
	}
	if !m.cfg.ServerCPU {
		return
	}
	res.MetricsURLs = m.urls
	if m.err == nil {
		var after usage
		after, m.err = serverUsage(ctx, m.client, m.urls, m.cfg.MetricsToken)
		res.ServerCPU = after.cpu - m.before.cpu
		res.RSSStart, res.RSSEnd = m.before.rss, after.rss
	}
	if m.err != nil {
		res.ServerCPUError = m.err.Error()
		return
	}
	if res.Turns > 0 {
		res.CPUPerTurn = res.ServerCPU / time.Duration(res.Turns)
	}
}

func (m *serverMeter) stopRedis(ctx context.Context, res *Result) {
	after, err := int64(0), m.redisErr
	if err == nil {
		after, err = m.cfg.RedisMemory(ctx)
	}
	if err != nil {
		res.RedisMemoryError = err.Error()
		return
	}
	res.RedisMemoryStart, res.RedisMemoryEnd = m.redisBefore, after
	grown := float64(after - m.redisBefore)
	if res.Conversations > 0 {
		res.RedisPerConversation = grown / float64(res.Conversations)
	}
	if res.Messages > 0 {
		res.RedisPerMessage = grown / float64(res.Messages)
	}
}
