package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http/httputil"
	"net/url"
	"strconv"
	"time"
)

// requestTimeout bounds a request when ctx allows more, as net/http's Client.Timeout did.
const requestTimeout = 30 * time.Second

// leanClient is one customer's keep-alive HTTP/1.1 connection to one server URL, for its POSTs.
//
// It exists because the load generator shares the machine with the server and Redis: every
// CPU microsecond it spends is taken from the server whose throughput it measures. net/http's
// Transport hands each request between goroutines (the caller, the connection's read and
// write loops) and allocates a request, a response and their header maps; for a customer who
// sends one small POST at a time, that costs more than the request. A leanClient writes the
// request in one write and reads the answer from the customer's own goroutine, with raw
// reads and writes on Linux (rawio_linux.go) and the few JSON fields it needs (jsonscan.go).
// It speaks plain http:// only: https, agents and an explicit Config.Client keep net/http;
// customers' websockets have their own lean client (wsclient.go). Not safe for concurrent use.
type leanClient struct {
	addr   string // host:port to dial
	host   string // Host header
	prefix string // path of the server's URL, before /api/…

	conn     net.Conn      // nil until dialled and after a failure
	rw       io.ReadWriter // conn's reads and writes
	br       *bufio.Reader
	deadline time.Time // set on conn
	req      []byte    // request bytes, reused
	body     []byte    // last answer's body, reused
}

// newLeanClient returns a client for a plain http:// server URL, or nil for any other URL.
func newLeanClient(rawURL string) *leanClient {
	addr, host, prefix, ok := plainHTTP(rawURL)
	if !ok {
		return nil
	}
	return &leanClient{addr: addr, host: host, prefix: prefix}
}

// plainHTTP returns the address to dial, the Host header and the path prefix of a plain
// http:// server URL; ok is false for any other URL (https, credentials, a query…), which
// net/http serves.
func plainHTTP(rawURL string) (addr, host, prefix string, ok bool) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return "", "", "", false
	}
	addr = u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return addr, u.Host, u.EscapedPath(), true
}

// close closes the connection; c may be nil.
func (c *leanClient) close() {
	if c != nil && c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// post sends a JSON POST to path (which starts with /api/) and returns the status and body of
// the answer; the body is valid until the next call. token and key, when set, go in the
// Authorization and Idempotency-Key headers. On a reused connection the server closed while
// idle (no byte of answer), the request is sent again once on a new connection.
func (c *leanClient) post(ctx context.Context, path, token, key string, body []byte) (int, []byte, error) {
	c.req = c.appendRequest(c.req[:0], path, token, key, body)
	reused := c.conn != nil
	status, data, err := c.roundTrip(ctx)
	if errors.Is(err, errClosedIdle) && reused && ctx.Err() == nil {
		status, data, err = c.roundTrip(ctx)
	}
	if d, ok := ctx.Deadline(); err != nil && ok && !time.Now().Before(d) {
		<-ctx.Done() // the connection met ctx's deadline first: let callers see ctx ended
	}
	return status, data, err
}

// errClosedIdle is a connection closed before any byte of the answer.
var errClosedIdle = errors.New("connexion fermée par le serveur")

// closedIdle returns errClosedIdle for a connection the server closed, err for a timeout.
func closedIdle(err error) error {
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return err
	}
	return errClosedIdle
}

// roundTrip writes c.req, dialling first if needed, and reads the whole answer. It closes the
// connection on failure, and when the server says it will.
func (c *leanClient) roundTrip(ctx context.Context) (status int, body []byte, err error) {
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	if err := c.connect(ctx); err != nil {
		return 0, nil, err
	}
	if _, err := c.rw.Write(c.req); err != nil {
		return 0, nil, closedIdle(err)
	}
	if _, err := c.br.Peek(1); err != nil {
		return 0, nil, closedIdle(err)
	}
	var closing bool
	status, c.body, closing, err = readResponse(c.br, c.body[:0])
	if err != nil {
		return 0, nil, err
	}
	if closing {
		c.close()
	}
	return status, c.body, nil
}

// connect dials when there is no connection and bounds the request by ctx's deadline, at
// most requestTimeout away.
func (c *leanClient) connect(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline := requestDeadline(ctx)
	if c.conn == nil {
		d := net.Dialer{Deadline: deadline}
		conn, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return err
		}
		c.conn, c.rw, c.deadline = conn, newRawIO(conn), time.Time{}
		if c.br == nil {
			c.br = bufio.NewReader(c.rw)
		} else {
			c.br.Reset(c.rw)
		}
	}
	if !deadline.Equal(c.deadline) { // the run's deadline does not move: set once
		if err := c.conn.SetDeadline(deadline); err != nil {
			return err
		}
		c.deadline = deadline
	}
	return nil
}

// requestDeadline is ctx's deadline, at most requestTimeout away.
func requestDeadline(ctx context.Context) time.Time {
	deadline, ok := ctx.Deadline()
	if limit := time.Now().Add(requestTimeout); !ok || deadline.After(limit) {
		deadline = limit
	}
	return deadline
}

// appendRequest appends the bytes of a POST of a JSON body to dst: the headers net/http sent,
// but Accept-Encoding (the answers are read as they come).
func (c *leanClient) appendRequest(dst []byte, path, token, key string, body []byte) []byte {
	dst = append(dst, "POST "...)
	dst = append(dst, c.prefix...)
	dst = append(dst, path...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, c.host...)
	dst = append(dst, "\r\nUser-Agent: Go-http-client/1.1\r\nContent-Type: application/json\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(body)), 10)
	if token != "" {
		dst = append(dst, "\r\nAuthorization: Bearer "...)
		dst = append(dst, token...)
	}
	if key != "" {
		dst = append(dst, "\r\nIdempotency-Key: "...)
		dst = append(dst, key...)
	}
	dst = append(dst, "\r\n\r\n"...)
	return append(dst, body...)
}

var errResponse = errors.New("réponse HTTP invalide")

// readResponse reads one HTTP/1.x response to a POST from br and appends its whole body
// (Content-Length, chunked, or up to the end of the connection) to dst. closing reports that
// the server closes the connection after it. It reads what a load generator needs and no
// more: http.ReadResponse costs a dozen allocations for headers nobody looks at.
func readResponse(br *bufio.Reader, dst []byte) (status int, body []byte, closing bool, err error) {
	line, err := readLine(br)
	if err != nil {
		return 0, dst, false, err
	}
	if status, err = statusCode(line); err != nil {
		return 0, dst, false, err
	}
	closing = line[7] == '0' // HTTP/1.0 closes unless it says keep-alive
	length, chunked := int64(-1), false
	for {
		if line, err = readLine(br); err != nil {
			return 0, dst, false, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, dst, false, errResponse
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return 0, dst, false, errResponse
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = !bytes.EqualFold(value, []byte("identity"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = hasToken(value, "close") || closing && !hasToken(value, "keep-alive")
		}
	}
	switch {
	case status/100 == 1 || status == 204 || status == 304: // no body
	case chunked:
		dst, err = readChunked(br, dst)
	case length >= 0:
		dst, err = readN(br, dst, length)
	default: // the body ends with the connection
		dst, err = appendAll(dst, br)
		closing = true
	}
	return status, dst, closing, err
}

// statusCode returns the status of an HTTP/1.x status line: HTTP/1.1 200 OK.
func statusCode(line []byte) (int, error) {
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return 0, errResponse
	}
	status := 0
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, errResponse
		}
		status = status*10 + int(d-'0')
	}
	return status, nil
}

// readLine returns the next line of br without its CRLF, valid until the next read.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return nil, errResponse
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// hasToken reports whether the comma-separated header value holds token, in any case.
func hasToken(value []byte, token string) bool {
	for t := range bytes.SplitSeq(value, []byte(",")) {
		if bytes.EqualFold(bytes.TrimSpace(t), []byte(token)) {
			return true
		}
	}
	return false
}

// readN appends n bytes of r to dst.
func readN(r io.Reader, dst []byte, n int64) ([]byte, error) {
	if n > int64(cap(dst)-len(dst)) {
		dst = append(make([]byte, 0, int64(len(dst))+n), dst...)
	}
	start := len(dst)
	dst = dst[:start+int(n)]
	_, err := io.ReadFull(r, dst[start:])
	return dst, err
}

// readChunked appends a chunked body of br, then skips its trailer.
func readChunked(br *bufio.Reader, dst []byte) ([]byte, error) {
	dst, err := appendAll(dst, httputil.NewChunkedReader(br))
	for err == nil {
		var line []byte
		if line, err = readLine(br); len(line) == 0 {
			break
		}
	}
	return dst, err
}

// appendAll appends what r holds up to its end to dst.
func appendAll(dst []byte, r io.Reader) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}
