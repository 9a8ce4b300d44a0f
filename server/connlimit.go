package server

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/relais/relais/apperr"
)

// perAddress counts what each client address holds open (connections, websockets) against a
// limit. Counts are per process: a client spread over several processes may hold the limit on
// each.
type perAddress struct {
	mu    sync.Mutex
	limit int // 0: no limit
	open  map[string]int
}

func newPerAddress(limit int) *perAddress {
	return &perAddress{limit: limit, open: map[string]int{}}
}

// take counts one more for addr, unless addr holds the limit already.
func (p *perAddress) take(addr string) bool {
	if p.limit <= 0 {
		return true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open[addr] >= p.limit {
		return false
	}
	p.open[addr]++
	return true
}

func (p *perAddress) release(addr string) {
	if p.limit <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open[addr]--; p.open[addr] <= 0 {
		delete(p.open, addr)
	}
}

// limitListener refuses a connection from a peer address that already holds
// ConnectionsPerIP open ones (trusted proxies apart: they carry everybody's). A hijacked
// connection (a websocket) counts until it is closed.
type limitListener struct {
	net.Listener
	conns   *perAddress
	trusted func(net.IP) bool
}

// Accept returns the next connection within the limit; those past it are answered 429 and
// closed, off the accept loop.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := peerIP(c.RemoteAddr().String())
		if l.trusted(ip) {
			return c, nil
		}
		addr := ip.String()
		if !l.conns.take(addr) {
			go refuseConn(c)
			continue
		}
		return &limitedConn{Conn: c, release: func() { l.conns.release(addr) }}, nil
	}
}

// tooManyConns is the whole answer to a connection past the limit.
var tooManyConns = func() string {
	body := `{"error":{"code":"too_many","message":"Trop de connexions ouvertes depuis votre adresse. Patientez un instant."}}` + "\n"
	return fmt.Sprintf("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\n"+
		"X-Content-Type-Options: nosniff\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}()

func refuseConn(c net.Conn) {
	c.SetDeadline(time.Now().Add(time.Second))
	io.WriteString(c, tooManyConns)
	c.Close()
}

// limitedConn gives its place back once, when closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

var errTooManySockets = apperr.Limited("Trop de connexions en direct ouvertes depuis votre adresse. "+
	"Fermez d'autres onglets ou patientez.", 10*time.Second)

// takeSocket counts a websocket against its client address (SocketsPerIP, behind the trusted
// proxies too); the returned function gives the place back.
func (s *Server) takeSocket(c echo.Context) (release func(), err error) {
	ip := c.RealIP()
	if !s.socketsPerIP.take(ip) {
		return nil, errTooManySockets
	}
	return func() { s.socketsPerIP.release(ip) }, nil
}

// bodyDeadline gives a request body BodyTimeout to arrive (a client sending a byte a second
// would hold its connection for hours); the deadline is lifted once the body is read, so a
// long answer (a bot turn) is not cut. Websockets have their own pings and deadlines.
func (s *Server) bodyDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if c.IsWebSocket() || !hasBody(r) {
			return next(c)
		}
		rc := http.NewResponseController(c.Response().Writer)
		if rc.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout)) == nil {
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
		}
		return next(c)
	}
}

// deadlineBody lifts the read deadline when the body has been read to its end.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) && !b.done {
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
