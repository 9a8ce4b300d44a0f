package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// wsClient is a customer's conversation websocket over plain http:// (RFC 6455), for the
// customers of a run with Config.Websockets.
//
// It exists for the same reason as leanClient (httpclient.go): the load generator shares the
// machine with the server it measures. Through coder/websocket over net/http, each
// conversation's handshake goes through the Transport's goroutines and each event read through
// the library's locks and contexts: holding the websockets tripled the generator's CPU per bot
// turn. A wsClient dials with one write and one read, reads the server's frames with raw reads
// (rawio_linux.go) on the customer's reader goroutine, and writes only control frames (pong,
// close): customers send their messages through POST. https://, a caller's Config.Client and
// the agents' desks keep coder/websocket.
//
// read is for one goroutine; close and closeNow may be called from another.
type wsClient struct {
	conn      net.Conn
	br        *bufio.Reader // conn's reads
	hdr       [8]byte       // bytes of the frame header being read
	ctl       [maxControl]byte
	msg       []byte // the message being read, reused
	err       error  // read's final error
	closeSent atomic.Bool
}

// wsGUID is appended to the key to compute Sec-WebSocket-Accept (RFC 6455, 1.3).
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Frame opcodes (RFC 6455, 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

const (
	maxControl   = 125     // largest control frame payload
	wsReadLimit  = 1 << 20 // largest message read: events are far smaller
	statusNormal = 1000    // close status: normal closure
)

var (
	errWSAccept   = errors.New("websocket : Sec-WebSocket-Accept invalide")
	errWSProtocol = errors.New("websocket : trame invalide")
	errWSTooBig   = errors.New("websocket : message trop long")
	errWSClosed   = errors.New("websocket fermée")
)

// dialWS opens the websocket at target (path and query) on the server at addr, with host as
// its Host header.
func dialWS(ctx context.Context, addr, host, target string) (*wsClient, error) {
	deadline := requestDeadline(ctx)
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err == nil {
		c := &wsClient{conn: conn, br: bufio.NewReader(newRawIO(conn))}
		if err = c.handshake(host, target, deadline); err == nil {
			return c, nil
		}
		conn.Close()
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		<-ctx.Done() // the connection met ctx's deadline first: let callers see ctx ended
	}
	return nil, err
}

// handshake sends the upgrade request and checks the server's answer, before deadline.
func (c *wsClient) handshake(host, target string, deadline time.Time) error {
	key := wsKey()
	if err := c.conn.SetDeadline(deadline); err != nil {
		return err
	}
	if _, err := c.conn.Write(upgradeRequest(host, target, key)); err != nil {
		return err
	}
	if err := readUpgrade(c.br, key); err != nil {
		return err
	}
	return c.conn.SetDeadline(time.Time{})
}

// upgradeRequest is the bytes of the upgrade request, with the headers coder/websocket sent.
func upgradeRequest(host, target, key string) []byte {
	return []byte("GET " + target + " HTTP/1.1\r\nHost: " + host +
		"\r\nUser-Agent: Go-http-client/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket" +
		"\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
}

// readUpgrade reads the answer to the upgrade request from br: 101 with the
// Sec-WebSocket-Accept of key, or an error.
func readUpgrade(br *bufio.Reader, key string) error {
	line, err := readLine(br)
	if err != nil {
		return err
	}
	status, err := statusCode(line)
	if err != nil {
		return err
	}
	if status != http.StatusSwitchingProtocols {
		return errors.New("websocket refusée : statut " + strconv.Itoa(status))
	}
	accepted := false
	for {
		if line, err = readLine(br); err != nil {
			return err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return errResponse
		}
		if bytes.EqualFold(name, []byte("Sec-WebSocket-Accept")) {
			accepted = string(bytes.TrimSpace(value)) == wsAccept(key)
		}
	}
	if !accepted {
		return errWSAccept
	}
	return nil
}

// wsKey is a new Sec-WebSocket-Key: 16 random bytes in base64.
func wsKey() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// wsAccept is the Sec-WebSocket-Accept a server answers to key.
func wsAccept(key string) string {
	sum := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// read returns the next text or binary message, valid until the next call. It answers the
// server's pings and close frame. On its first error it closes the connection, and returns
// that error from then on.
func (c *wsClient) read() ([]byte, error) {
	if c.err != nil {
		return nil, c.err
	}
	msg, err := c.readMessage()
	if err != nil {
		c.err = err
		c.conn.Close()
	}
	return msg, err
}

// readMessage reads frames up to the end of a message, handling control frames between them.
func (c *wsClient) readMessage() ([]byte, error) {
	c.msg = c.msg[:0]
	started := false // a first frame without FIN came: continuations follow
	for {
		fin, op, n, err := c.readHeader()
		if err != nil {
			return nil, err
		}
		if op >= opClose {
			if err := c.control(op, n); err != nil {
				return nil, err
			}
			continue
		}
		if (op == opContinuation) != started {
			return nil, errWSProtocol
		}
		if int64(len(c.msg))+n > wsReadLimit {
			return nil, errWSTooBig
		}
		if c.msg, err = readN(c.br, c.msg, n); err != nil {
			return nil, err
		}
		if fin {
			return c.msg, nil
		}
		started = true
	}
}

// readHeader reads a frame header: FIN, opcode and payload length. A server's frames are
// never masked, and without a negotiated extension their RSV bits are 0.
func (c *wsClient) readHeader() (fin bool, op byte, n int64, err error) {
	h := c.hdr[:]
	if _, err = io.ReadFull(c.br, h[:2]); err != nil {
		return false, 0, 0, err
	}
	fin, op, n = h[0]&0x80 != 0, h[0]&0x0F, int64(h[1]&0x7F)
	if h[0]&0x70 != 0 || h[1]&0x80 != 0 {
		return false, 0, 0, errWSProtocol
	}
	switch n {
	case 126:
		_, err = io.ReadFull(c.br, h[:2])
		n = int64(binary.BigEndian.Uint16(h))
	case 127:
		_, err = io.ReadFull(c.br, h[:8])
		n = int64(binary.BigEndian.Uint64(h))
	}
	switch {
	case err != nil:
		return false, 0, 0, err
	case n < 0, op >= opClose && (!fin || n > maxControl):
		return false, 0, 0, errWSProtocol
	case op > opBinary && op < opClose, op > opPong:
		return false, 0, 0, errWSProtocol // reserved opcode
	}
	return fin, op, n, nil
}

// control reads the payload of a control frame of n bytes and answers it: a pong to a ping, a
// close frame with the same status to a close frame, which ends the websocket.
func (c *wsClient) control(op byte, n int64) error {
	p := c.ctl[:n]
	if _, err := io.ReadFull(c.br, p); err != nil {
		return err
	}
	switch op {
	case opPing:
		if !c.closeSent.Load() {
			return c.writeControl(opPong, p)
		}
	case opClose:
		status := p[:0]
		if len(p) >= 2 {
			status = p[:2]
		}
		c.sendClose(status)
		return errWSClosed
	}
	return nil
}

// sendClose sends a close frame with payload unless one was sent.
func (c *wsClient) sendClose(payload []byte) {
	if c.closeSent.CompareAndSwap(false, true) {
		c.writeControl(opClose, payload)
	}
}

// writeControl writes a control frame, masked as every client frame must be (RFC 6455, 5.3).
// Its one write keeps it whole beside a frame written by another goroutine.
func (c *wsClient) writeControl(op byte, payload []byte) error {
	var f [6 + maxControl]byte
	f[0] = 0x80 | op // FIN
	f[1] = 0x80 | byte(len(payload))
	rand.Read(f[2:6]) // the mask
	n := 6 + copy(f[6:], payload)
	for i := 6; i < n; i++ {
		f[i] ^= f[2+(i-6)%4]
	}
	_, err := c.conn.Write(f[:n])
	return err
}

// close sends a close frame with status 1000 and closes the connection, which ends read. It
// does not wait for the server's close frame: the events still on their way (those of the
// conversation's last turn) go uncounted, as coder/websocket's Close discarded them.
func (c *wsClient) close() {
	c.sendClose(binary.BigEndian.AppendUint16(nil, statusNormal))
	c.conn.Close()
}

// closeNow closes the connection without a close frame.
func (c *wsClient) closeNow() {
	c.conn.Close()
}
